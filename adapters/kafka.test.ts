import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from "kafkajs";
import { describe, expect, it } from "vitest";
import { isKafkaUnavailable } from "./kafka";

// kafkajs's typings omit the options its error classes take (and its retrier passes).
const NonRetriable = KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error;
const RetriesExceeded = KafkaJSNumberOfRetriesExceeded as unknown as new (
  e: Error,
  options: { retryCount: number; retryTime: number },
) => Error;
const protocolError = (type: string, retriable: boolean) =>
  new KafkaJSProtocolError({ message: type, type, code: 0, retriable } as unknown as Error);

describe("isKafkaUnavailable", () => {
  it("counts an unreachable broker as unavailable, also when kafkajs wrapped it after its own retries", () => {
    const refused = new KafkaJSConnectionError("connect ECONNREFUSED 127.0.0.1:9092");
    expect(isKafkaUnavailable(refused)).toBe(true);
    const exhausted = new RetriesExceeded(refused, { retryCount: 2, retryTime: 1000 });
    expect(isKafkaUnavailable(new NonRetriable(exhausted, { cause: exhausted }))).toBe(true);
    expect(isKafkaUnavailable(protocolError("NOT_LEADER_OR_FOLLOWER", true))).toBe(true);
  });

  it("does not count a request Kafka refused for good, or an error that is not Kafka's", () => {
    expect(isKafkaUnavailable(protocolError("MESSAGE_TOO_LARGE", false))).toBe(false);
    const tooLarge = protocolError("RECORD_LIST_TOO_LARGE", false);
    expect(isKafkaUnavailable(new NonRetriable(tooLarge, { cause: tooLarge }))).toBe(false);
    expect(isKafkaUnavailable(protocolError("OUT_OF_ORDER_SEQUENCE_NUMBER", false))).toBe(false);
    expect(isKafkaUnavailable(new TypeError("cannot read properties of undefined"))).toBe(false);
    expect(isKafkaUnavailable("a string")).toBe(false);
  });
});
