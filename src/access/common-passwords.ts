// Very common passwords, lowercased, from general knowledge of leaked-password top lists. The policy
// checks candidates case-insensitively against COMMON_PASSWORDS, and uses COMMON_WORDS to refuse a
// common word padded with digits or symbols ("Summer2024!"). Shorter than 12 characters is already
// refused by length, but such entries still matter as the base of padded variants.

// Words people build passwords from: top-list words, names, teams, places, brands, seasons,
// months, days, and the words of this product's own domain.
const WORDS = `
password passwort passwd pass pwd motdepasse contrasena senha parola haslo wachtwoord salasana
lozinka sifre secret secreto geheim letmein welcome willkommen bienvenue bienvenido benvenuto
admin administrator administrador root toor login logon user username guest test tester testing
demo default changeme changeit access master super superuser sysadmin support service server
system manager operator network internet computer office company business billing selfcare
customer client telecom invoice payment account accounts security private public portal secure
qwerty qwertz azerty qwertyuiop asdfgh asdfghjkl zxcvbn zxcvbnm qazwsx qweasd asdasd qwe asd
abc abcd abcde abcdef abcdefg abcdefgh iloveyou iloveu loveyou love lover loveme mylove
trustno trustnoone dragon monkey football baseball basketball soccer hockey tennis golf golfer
sunshine princess shadow superman batman spiderman ironman wolverine hulk marvel avengers
michael jennifer jordan hunter freedom whatever starwars pokemon pikachu naruto sasuke goku
dragonball charlie donald killer george andrew michelle jessica ashley daniel thomas robert
matthew joshua william anthony nicole amanda melissa samantha elizabeth christopher richard
joseph david james john mary patricia linda barbara susan sarah karen nancy lisa maria anna
alexander alexandra alex sophie sophia olivia emma isabella mohammed ahmed ali ivan natasha
harley ranger buster tigger ginger pepper summer winter spring autumn flower flowers cookie
chocolate cheese butter banana orange purple yellow silver golden diamond maggie bailey lovely
angel angels babygirl babyboy baby family friends friend forever blessed jesus christ heaven
god godisgood london paris berlin moscow madrid rome tokyo america canada mexico brazil france
germany england scotland ireland italia espana russia china india australia samsung apple
google microsoft windows linux ubuntu facebook twitter youtube instagram myspace nintendo
playstation xbox minecraft fortnite roblox matrix mustang corvette ferrari porsche mercedes
yamaha honda toyota liverpool chelsea arsenal barcelona juventus realmadrid manchester
manutd yankees cowboys lakers eagles steelers packers dallas boston chicago phoenix tigers
lions bears panthers raiders redsox warriors monday tuesday wednesday thursday friday saturday
sunday january february march april june july august september october november december
sweet honey sexy hottie beautiful pretty cutie sweetheart darling kitty kitten puppy doggy
snoopy garfield scooby mickey minnie donaldduck gandalf frodo hobbit merlin wizard magic
hello hallo bonjour hola ciao amore amor teamo jetaime ichliebedich qwer asdf zxcv azer
computer1 internet1 letmeinnow openup opensesame nothing something anything everything
blahblah whatever1 fuckyou fuckoff asshole
money dollar cash rich bitcoin crypto ethereum blockchain success winner champion legend
bigdog bigboy bigdaddy daddy mommy mother father brother sister family1 husband wife
jasmine thunder lightning tiger lion eagle falcon dolphin phoenix1 butterfly spider snake
cowboy pirate ninja samurai knight warrior soldier sniper gamer player playboy playgirl
rockstar rocknroll metallica nirvana beatles eminem slipknot music guitar piano drummer
coffee pizza burger chicken cocacola pepsi beer whiskey vodka tequila party happy smile
welcome1 hello1 letmein1 master1 dragon1 monkey1 shadow1 qwerty1 secret1 admin1 pass1
zaq1 xsw2 cde3 asdfasdf qwerqwer zxcvzxcv
`;

// Literal entries that are not a word plus padding: digit runs, keyboard walks, well-known phrases.
const LITERALS = `
12345678 123456789 1234567890 12345678901 123456789012 1234567890123 12345678901234
123456789012345 1234567890123456 01234567890 0123456789 987654321 9876543210 98765432100
87654321 876543210 123123123 123123123123 123412341234 1234512345 123456123456 12341234
11223344 112233445566 111222333 111222333444 123321123 123321123321 147258369 147258369258
159753159753 159357159357 741852963 741852963741 963852741 963852741963 789456123 789456123789
147852369 147852369147 246813579 135792468 1357924680 2468013579 12344321 1234554321
123454321 1234567654321 11111111 111111111 1111111111 111111111111 000000000 0000000000
000000000000 00000000 99999999 999999999999 88888888 888888888888 77777777 777777777777
66666666 666666666666 55555555 555555555555 44444444 444444444444 33333333 333333333333
22222222 222222222222 12121212 121212121212 12312312 10203040 1020304050 102030405060
11112222 11111111111 12345678910 123456789101 12345678987654321 20202020 20242024 20252025
1qaz2wsx 1qaz2wsx3edc 1qaz2wsx3edc4rfv 1qazxsw2 1qazxsw23edc zaq12wsx zaq1zaq1 zaq1xsw2
zaq1xsw2cde3 !qaz2wsx !qaz@wsx !qaz@wsx#edc 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y 1q2w3e4r5t6y7u
q1w2e3r4 q1w2e3r4t5 q1w2e3r4t5y6 a1b2c3d4 a1b2c3d4e5 a1b2c3d4e5f6 1a2b3c4d 1a2b3c4d5e6f
qazwsxedc qazwsxedcrfv qweasdzxc qweasdzxc123 asdfqwer asdfzxcv qwerasdf qwerasdfzxcv
qwertyuiop qwertyuiop123 qwertyuiopasdf asdfghjkl asdfghjkl123 asdfghjkl; zxcvbnm123
zxcvbnm, qwertyqwerty qwerty123456 qwerty12345 123456qwerty 1234qwer 1234qwerasdf 123qwe123
123qweasd 123qweasdzxc qwe123qwe qwe123456 qwer1234 qwert12345 asdf1234 zxcv1234 asd123asd
qwertzuiop qwertz123456 azertyuiop azerty123456 ytrewq ytrewq123456 poiuytrewq mnbvcxz
lkjhgfdsa 0987654321 09876543 0987654321qwerty abcd1234 abcd12345 abcd123456 abc123456
abc1234567 abc12345678 abc123abc123 abcabc123 abcdefg123 abcdefgh abcdefghi abcdefghijkl
abcdefghijklmnop a1234567 a12345678 a123456789 aa123456 aa12345678 aaa111222 aaaaaaaa
aaaaaaaaaaaa aaaa1111 aaaa1234 qqqqqqqq qqqqqqqqqqqq zzzzzzzz xxxxxxxx asdasdasd asdasdasdasd
qweqweqwe qweqweqweqwe password password1 password12 password123 password1234 password12345
password123456 password! password1! password123! passw0rd passw0rd1 passw0rd123 p@ssword
p@ssw0rd p@ssw0rd1 p@ssw0rd123 p@$$w0rd pa$$word pa55word pa55w0rd passpass passpass123
passwordpassword mypassword mypassword1 mypassword123 newpassword newpassword1 newpassword123
oldpassword thepassword yourpassword nopassword password01 password2 password11 password99
iloveyou iloveyou1 iloveyou2 iloveyou12 iloveyou123 iloveyou1234 iloveyou! iloveyousomuch
ilovemyself ilovemymom ilovemydad ilovemydog ilovemycat ilovegod ilovejesus iloveme iloveu123
trustno1 trustno1! letmein letmein1 letmein12 letmein123 letmein1234 letmeinplease welcome1
welcome12 welcome123 welcome1234 welcome123456 welcometo welcomehome changeme changeme1
changeme123 changeme1234 changemenow pleasechangeme default1 default123 defaultpassword
administrator administrator1 administrator123 adminadmin adminadmin123 admin123456
admin1234567 adminpassword adminpass rootroot rootpassword root123456 toortoor guestguest
testtest testtest123 test123456 test12345678 testing123 testing1234 testpassword demo123456
useruser user123456 username1 username123 master123 masterkey masterpassword secret123
secret1234 topsecret topsecret1 supersecret verysecret mysecret opensesame letitbe
ihateyou iwantyou imissyou ineedyou football1 baseball1 superman1 batman123 starwars1
whatever1 sunshine1 princess1 blink182 ncc1701 ncc1701d thx1138 r2d2c3po 8675309 jenny8675309
qwertyui asdfghjk zxcvbnma zaqwsxcde xswzaq cdexswzaq 5201314 520520520 woaini1314
woaini520 aini1314 iloveyou520 1314520520 caonima wodemima zhangwei wangwei liuyang
internet computer1234 samsung123 apple1234 google123 microsoft1 windows10 windows11
linux123 facebook1 youtube123 minecraft1 fortnite1 pokemon123 nintendo64 playstation2
playstation4 playstation5 xbox360 xboxone 123abc123abc 1234abcd 1234abcd1234 12345abcde
123456abc 123456abcd 123456789a 123456789q 123456789z 12345678a 12345678q 1234567a 1234567q
a123456789 q123456789 z123456789 123456789aa 1234567890q 1234567890a 0000000a 1111111a
1q2w3e 1q2w3e4r5t6y7u8i 1qaz!qaz 1qaz@wsx 2wsx3edc 3edc4rfv 4rfv5tgb 5tgb6yhn 6yhn7ujm
zxcasdqwe zxcasdqwe123 qweasd123 qwe123asd asdzxc123 zxc123456 zxcvbn123 asdfgh123 qazxswedc
`;

const SUFFIXES = [
  '',
  '1',
  '12',
  '123',
  '1234',
  '12345',
  '123456',
  '1234567',
  '12345678',
  '!',
  '!!',
  '1!',
  '12!',
  '123!',
  '1234!',
  '01',
  '007',
  '69',
  '99',
  '00',
  '11',
  '13',
  '21',
  '22',
  '23',
  '88',
  '2000',
  '2010',
  '2020',
  '2021',
  '2022',
  '2023',
  '2024',
  '2025',
  '2026',
  '@123',
  '#1',
  '.',
];

const MIN_ENTRY_LENGTH = 8;

function tokens(text: string): string[] {
  return text
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .map((t) => t.toLowerCase());
}

/** Words that, padded with digits or symbols, make a very weak password. */
export const COMMON_WORDS: ReadonlySet<string> = new Set(tokens(WORDS).filter((w) => /^\p{L}+$/u.test(w)));

function buildCommonPasswords(): Set<string> {
  const all = new Set<string>();
  const add = (candidate: string): void => {
    if (candidate.length >= MIN_ENTRY_LENGTH) all.add(candidate);
  };
  for (const literal of tokens(LITERALS)) add(literal);
  for (const word of tokens(WORDS)) {
    for (const suffix of SUFFIXES) add(word + suffix);
    add(word + word);
  }
  // Repeated characters and digit runs of any length a form could carry up to the limit.
  for (const ch of '0123456789abcdefghijklmnopqrstuvwxyz!?.*#') {
    for (let n = MIN_ENTRY_LENGTH; n <= 24; n += 1) add(ch.repeat(n));
  }
  for (let year = 1950; year <= 2026; year += 1) add(`${year}${year}`);
  return all;
}

/** Very common passwords (lowercased, each at least 8 characters). */
export const COMMON_PASSWORDS: ReadonlySet<string> = buildCommonPasswords();
