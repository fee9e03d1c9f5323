// Java and jar classpaths for the JVM servers. Maven resolves each server's pom into the local
// Maven cache (~/.m2) once; the resolved classpath is kept under the data dir and reused.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { progress } from "./progress";

const execFileAsync = promisify(execFile);
export const INFRA_DIR = path.dirname(new URL(import.meta.url).pathname);

/** A Java 17 binary: $JAVA_HOME, the Debian OpenJDK 17, or `java` on PATH (Cassandra 5.0 needs 11 or 17). */
export async function findJava(javaHome: string | undefined): Promise<string> {
  const candidates = [...(javaHome ? [path.join(javaHome, "bin", "java")] : []), "/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "java"];
  for (const candidate of candidates) {
    if (candidate !== "java" && !fs.existsSync(candidate)) continue;
    try {
      const { stderr } = await execFileAsync(candidate, ["-version"]);
      const major = /version "(\d+)/.exec(stderr)?.[1];
      if (major === "17" || major === "11") return candidate;
    } catch {
      // not runnable: try the next one
    }
  }
  throw new Error("Java 17 not found: install OpenJDK 17 or set JAVA_HOME to a Java 17 home");
}

/**
 * The runtime classpath of infra/<server>/pom.xml, resolved by Maven (downloads on first run).
 * Re-resolved when the pom changes or a cached jar has disappeared.
 */
export async function resolveClasspath(server: string, dataDir: string): Promise<string[]> {
  const pom = path.join(INFRA_DIR, server, "pom.xml");
  const cacheFile = path.join(dataDir, "classpath", `${server}.txt`);
  if (fs.existsSync(cacheFile) && fs.statSync(cacheFile).mtimeMs >= fs.statSync(pom).mtimeMs) {
    const jars = fs.readFileSync(cacheFile, "utf8").trim().split(path.delimiter);
    if (jars.length > 0 && jars.every((jar) => fs.existsSync(jar))) return jars;
  }
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  const bar = progress(`${server} jars`);
  bar.update("resolving from Maven Central (first run downloads them)");
  const timer = setInterval(() => bar.update("resolving from Maven Central (first run downloads them)"), 1_000);
  try {
    await runMaven(["-B", "-q", "-f", pom, "dependency:build-classpath", `-Dmdep.outputFile=${cacheFile}`]);
  } finally {
    clearInterval(timer);
  }
  const jars = fs.readFileSync(cacheFile, "utf8").trim().split(path.delimiter);
  bar.done(`${jars.length} jars ready`);
  return jars;
}

function runMaven(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("mvn", args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", (error) => reject(new Error(`cannot run mvn (is Maven installed?): ${error.message}`)));
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`mvn ${args.join(" ")} exited ${code}:\n${output}`))));
  });
}
