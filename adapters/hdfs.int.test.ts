import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { uniqueName } from "../test/helpers";
import { getConfig } from "./config";
import { WebHdfsClient, WebHdfsError } from "./hdfs";

const config = getConfig();
const hdfs = new WebHdfsClient({ baseUrl: config.hdfs.webhdfsUrl, user: config.hdfs.user });
const dir = `/tmp/${uniqueName("test-hdfs")}`;

afterAll(async () => {
  await hdfs.delete(dir, { recursive: true });
});

describe("WebHDFS through the adapter", () => {
  it("writes, reads, lists, appends, renames and deletes a file larger than 1 MiB", async () => {
    const data = randomBytes(1_536 * 1024 + 7);
    const file = `${dir}/date=2013-10-07/part-0000.bin`;
    expect(await hdfs.mkdirs(`${dir}/date=2013-10-07`)).toBe(true);

    await hdfs.create(file, data);
    expect((await hdfs.open(file)).equals(data)).toBe(true);

    const listing = await hdfs.list(`${dir}/date=2013-10-07`);
    expect(listing.map((entry) => [entry.pathSuffix, entry.type, entry.length])).toEqual([["part-0000.bin", "FILE", data.length]]);

    const tail = randomBytes(1000);
    await hdfs.append(file, tail);
    expect((await hdfs.status(file))?.length).toBe(data.length + tail.length);

    const renamed = `${dir}/date=2013-10-07/part-0001.bin`;
    expect(await hdfs.rename(file, renamed)).toBe(true);
    expect(await hdfs.status(file)).toBeUndefined();
    expect((await hdfs.open(renamed)).subarray(data.length).equals(tail)).toBe(true);

    expect(await hdfs.delete(renamed)).toBe(true);
    expect(await hdfs.status(renamed)).toBeUndefined();
  });

  it("refuses to overwrite when asked not to, with the server's reason", async () => {
    const file = `${dir}/once.txt`;
    await hdfs.create(file, "first");
    const error = await hdfs.create(file, "second", { overwrite: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebHdfsError);
    expect((error as WebHdfsError).exception).toBe("FileAlreadyExistsException");
    expect((await hdfs.open(file)).toString()).toBe("first");
  });
});
