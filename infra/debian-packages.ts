// Installs a missing Debian package on first use (redis-server for the local stack, chromium for
// e2e), so `npm start` and `npm test` work on a fresh machine with nothing installed by hand.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { progress } from "./progress";

const POLICY_RC = "/usr/sbin/policy-rc.d";

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, // eslint-disable-line no-restricted-syntax -- apt-get inherits this process's environment
    });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${output}`)),
    );
  });
}

/**
 * Makes sure `binary` exists, installing Debian package `pkg` with apt-get when it does not.
 * The package's own init script is kept from starting a server: the project starts its own.
 */
export async function ensureDebianPackage(pkg: string, binary: string): Promise<void> {
  if (fs.existsSync(binary)) return;
  const canInstall = process.getuid?.() === 0 && fs.existsSync("/usr/bin/apt-get");
  if (!canInstall) {
    throw new Error(`${binary} is missing: install the Debian package with "sudo apt-get install ${pkg}"`);
  }
  const bar = progress(`${pkg}`);
  const timer = setInterval(() => bar.update("installing from Debian (first run only)"), 1_000);
  const ownPolicy = !fs.existsSync(POLICY_RC);
  try {
    if (ownPolicy) fs.writeFileSync(POLICY_RC, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
    await run("apt-get", ["update", "-qq"]);
    await run("apt-get", ["install", "-y", "-qq", pkg]);
  } finally {
    clearInterval(timer);
    if (ownPolicy) fs.rmSync(POLICY_RC, { force: true });
  }
  if (!fs.existsSync(binary)) throw new Error(`apt-get installed ${pkg} but ${binary} is still missing`);
  bar.done("installed");
}
