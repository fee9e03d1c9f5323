// The secrets of a secure local stack, generated once into its data dir (mode 700, never
// committed): a CA and one server certificate for all of the stack's addresses (openssl), the
// servers' PKCS12 key store and trust store (openssl, keytool), random passwords of the app's
// Kafka, Cassandra and Redis users and of the brokers' own Kafka user, and the Redis ACL file.
// credentials.json is written last: while it exists the rest is complete.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { localCaFile, localSecretsDir, localSecretsFile, type LocalSecrets, type LocalStack } from "../adapters/config";
import { findJava } from "./java";
import { redisAclFile, serverKeyStores } from "./servers";

const execFileAsync = promisify(execFile);

/** The app's user name on every server of a secure stack. */
export const LOCAL_APP_USER = "tickstream";

/** 32 hex characters: no quoting needed in JAAS, CQL, ACL or property files. */
const password = () => randomBytes(16).toString("hex");

async function run(command: string, args: string[], cwd: string): Promise<void> {
  try {
    await execFileAsync(command, args, { cwd });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(
      `${path.basename(command)} ${args[0]} failed while generating the local stack's secrets: ${stderr.trim() || (error as Error).message}`,
    );
  }
}

/** Generates the stack's secrets unless they exist; returns where they are. */
export async function ensureLocalSecrets(stack: LocalStack, javaHome: string | undefined): Promise<string> {
  const dir = localSecretsDir(stack);
  const stores = serverKeyStores(stack);
  const done = [localSecretsFile(stack), localCaFile(stack), stores.keystore, stores.truststore, redisAclFile(stack)];
  if (!stack.secure || done.every((file) => fs.existsSync(file))) return dir;

  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const secrets: LocalSecrets = {
    kafka: { username: LOCAL_APP_USER, password: password() },
    kafkaBroker: { username: "broker", password: password() },
    cassandra: { username: LOCAL_APP_USER, password: password() },
    redis: { username: LOCAL_APP_USER, password: password() },
    storePassword: password(),
  };
  const openssl = "openssl";
  const days = "3650";
  await run(
    openssl,
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      days,
      "-subj",
      `/CN=tickstream ${stack.name} local CA`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    dir,
  );
  // One certificate for every address of the stack: clients check the address they dialled against
  // its IP entries; servers present it to each other (internode TLS, the KRaft controllers) too.
  fs.writeFileSync(
    path.join(dir, "server.ext"),
    [
      `subjectAltName=${stack.hosts.map((host) => `IP:${host}`).join(",")}`,
      "extendedKeyUsage=serverAuth,clientAuth",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "",
    ].join("\n"),
  );
  await run(
    openssl,
    [
      "req",
      "-new",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      `/CN=tickstream ${stack.name}`,
    ],
    dir,
  );
  await run(
    openssl,
    [
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      days,
      "-extfile",
      "server.ext",
      "-out",
      "server.pem",
    ],
    dir,
  );
  await run(
    openssl,
    [
      "pkcs12",
      "-export",
      "-in",
      "server.pem",
      "-inkey",
      "server.key",
      "-certfile",
      "ca.pem",
      "-name",
      "server",
      "-out",
      stores.keystore,
      "-passout",
      `pass:${secrets.storePassword}`,
    ],
    dir,
  );
  const keytool = path.join(path.dirname(await findJava(javaHome)), "keytool");
  fs.rmSync(stores.truststore, { force: true });
  await run(
    keytool,
    [
      "-importcert",
      "-noprompt",
      "-alias",
      "ca",
      "-file",
      "ca.pem",
      "-keystore",
      stores.truststore,
      "-storetype",
      "PKCS12",
      "-storepass",
      secrets.storePassword,
    ],
    dir,
  );
  // Only the SHA-256 of the password is stored: the `default` user (no password) is off.
  const redisHash = createHash("sha256").update(secrets.redis.password).digest("hex");
  fs.writeFileSync(redisAclFile(stack), `user default off\nuser ${secrets.redis.username} on #${redisHash} ~* &* +@all\n`, { mode: 0o600 });
  fs.rmSync(path.join(dir, "server.csr"), { force: true });
  for (const file of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, file), 0o600);
  fs.writeFileSync(localSecretsFile(stack), `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return dir;
}
