/** Where the user ran the command: `npm run` changes into the package root and keeps the user's directory in INIT_CWD. */
export function userCwd(env: NodeJS.ProcessEnv = process.env): string {
  return env.INIT_CWD ?? process.cwd();
}
