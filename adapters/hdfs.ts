// A small WebHDFS client on fetch. Writes are two-step: ask the NameNode where to write
// (noredirect=true returns the DataNode URL as JSON), then send the bytes to that DataNode.
// Reads follow the NameNode's 307 to a DataNode, which fetch does for GET.
import http from "node:http";
import https from "node:https";

export interface HdfsFileStatus {
  pathSuffix: string;
  type: "FILE" | "DIRECTORY" | "SYMLINK";
  length: number;
  modificationTime: number;
  replication: number;
  owner: string;
  permission: string;
}

export class WebHdfsError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly exception?: string,
  ) {
    super(message);
    this.name = "WebHdfsError";
  }
}

export interface WebHdfsOptions {
  /** e.g. http://127.0.0.1:9870/webhdfs/v1 */
  baseUrl: string;
  user: string;
  timeoutMs?: number;
}

type Body = Uint8Array<ArrayBuffer> | string;

export class WebHdfsClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: WebHdfsOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Writes a file, replacing it when overwrite is set (the default). */
  async create(path: string, data: Body, { overwrite = true } = {}): Promise<void> {
    const location = await this.dataNodeLocation("PUT", path, { op: "CREATE", overwrite: String(overwrite) });
    await this.send("PUT", location, data, 201);
  }

  async append(path: string, data: Body): Promise<void> {
    const location = await this.dataNodeLocation("POST", path, { op: "APPEND" });
    await this.send("POST", location, data, 200);
  }

  /** Reads a whole file. */
  async open(path: string): Promise<Buffer> {
    const response = await this.request("GET", path, { op: "OPEN" });
    return Buffer.from(await response.arrayBuffer());
  }

  /** Reads `length` bytes from `offset` (a range, so big files are read piece by piece). */
  async read(path: string, offset: number, length: number): Promise<Buffer> {
    const response = await this.request("GET", path, { op: "OPEN", offset: String(offset), length: String(length) });
    return Buffer.from(await response.arrayBuffer());
  }

  /** Streams a whole file chunk by chunk (memory bounded by the chunk, not the file). */
  async *stream(path: string): AsyncGenerator<Uint8Array> {
    const response = await this.request("GET", path, { op: "OPEN" });
    if (!response.body) return;
    const reader = response.body.getReader();
    let done = false;
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read()) yield next.value;
      done = true;
    } finally {
      // A consumer that stops early must not leave the connection open.
      if (!done) await reader.cancel();
      reader.releaseLock();
    }
  }

  async list(path: string): Promise<HdfsFileStatus[]> {
    const response = await this.request("GET", path, { op: "LISTSTATUS" });
    const body = (await response.json()) as { FileStatuses: { FileStatus: HdfsFileStatus[] } };
    return body.FileStatuses.FileStatus;
  }

  /** The status of a path, or undefined when it does not exist. */
  async status(path: string): Promise<HdfsFileStatus | undefined> {
    try {
      const response = await this.request("GET", path, { op: "GETFILESTATUS" });
      return ((await response.json()) as { FileStatus: HdfsFileStatus }).FileStatus;
    } catch (error) {
      if (error instanceof WebHdfsError && error.status === 404) return undefined;
      throw error;
    }
  }

  async mkdirs(path: string): Promise<boolean> {
    const response = await this.request("PUT", path, { op: "MKDIRS" });
    return ((await response.json()) as { boolean: boolean }).boolean;
  }

  /**
   * Renames; HDFS rename is atomic, which is how archive files are replaced safely. Plain rename
   * moves `from` INTO `to` when `to` is an existing directory; `failIfExists` (renameoptions=NONE,
   * rename2 semantics) fails with FileAlreadyExistsException instead.
   */
  async rename(from: string, to: string, { failIfExists = false } = {}): Promise<boolean> {
    const response = await this.request("PUT", from, { op: "RENAME", destination: to, ...(failIfExists ? { renameoptions: "NONE" } : {}) });
    // rename2 (renameoptions) answers 200 with an empty body: it throws on failure instead.
    const text = await response.text();
    return text === "" ? true : (JSON.parse(text) as { boolean: boolean }).boolean;
  }

  async delete(path: string, { recursive = false } = {}): Promise<boolean> {
    const response = await this.request("DELETE", path, { op: "DELETE", recursive: String(recursive) });
    return ((await response.json()) as { boolean: boolean }).boolean;
  }

  private url(path: string, params: Record<string, string>): string {
    if (!path.startsWith("/")) throw new Error(`HDFS path must be absolute: ${path}`);
    const query = new URLSearchParams({ ...params, "user.name": this.options.user });
    return `${this.baseUrl}${encodeURI(path)}?${query.toString()}`;
  }

  private async dataNodeLocation(method: "PUT" | "POST", path: string, params: Record<string, string>): Promise<string> {
    const response = await this.request(method, path, { ...params, noredirect: "true" });
    const { Location } = (await response.json()) as { Location?: string };
    if (!Location) throw new WebHdfsError(`NameNode gave no DataNode location for ${path}`, response.status);
    return Location;
  }

  private async request(method: string, path: string, params: Record<string, string>): Promise<Response> {
    const response = await fetch(this.url(path, params), { method, signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw await toError(response, `${method} ${params.op ?? ""} ${path}`);
    return response;
  }

  /**
   * Sends the bytes to the DataNode. Its Netty server answers "100 Continue" even to a request
   * that did not ask for it, which fetch (undici) rejects as a bad response; node:http skips 1xx.
   */
  private send(method: "PUT" | "POST", location: string, data: Body, expectedStatus: number): Promise<void> {
    const body = typeof data === "string" ? Buffer.from(data) : data;
    const request = location.startsWith("https:") ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(
        location,
        {
          method,
          headers: { "content-type": "application/octet-stream", "content-length": body.byteLength },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            if (res.statusCode === expectedStatus) return resolve();
            const text = Buffer.concat(chunks).toString();
            reject(remoteError(res.statusCode ?? 0, text, `${method} data to DataNode`));
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`DataNode ${method} timed out after ${this.timeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });
  }
}

async function toError(response: Response, what: string): Promise<WebHdfsError> {
  return remoteError(response.status, await response.text(), what);
}

function remoteError(status: number, text: string, what: string): WebHdfsError {
  try {
    const { RemoteException } = JSON.parse(text) as { RemoteException?: { message: string; exception: string } };
    if (RemoteException) {
      return new WebHdfsError(`${what}: ${RemoteException.exception}: ${RemoteException.message}`, status, RemoteException.exception);
    }
  } catch {
    // not JSON: fall through to the raw text, which is what the server said
  }
  return new WebHdfsError(`${what}: HTTP ${status} ${text.slice(0, 200)}`, status);
}
