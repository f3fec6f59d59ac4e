export async function runLoad(): Promise<number> {
  return 1;
}
