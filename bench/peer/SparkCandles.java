// The peer of `npm run bench:peer`: Spark Structured Streaming (local mode) reads the trades topic
// the product reads and folds 1m OHLCV, VWAP and trade count per symbol with event-time windows and
// a watermark, in update mode. Each micro-batch's updated candles go to one JSON-lines file,
// written whole and then renamed into --out (so a reader never sees half a file), each line
// stamped with the wall time just before the rename: when the candle became visible. Query events
// go to stdout as JSON lines for the bench; Spark's own logs go to stderr.
// Args: --brokers B --topic T --starting-offsets earliest|latest|{json} --out DIR --checkpoint DIR
// --local-dir DIR --watermark-ms N --trigger-ms N --shuffle-partitions N --cores N.
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.window;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

public final class SparkCandles {
  private SparkCandles() {}

  /** One JSON line on stdout; the listener bus and the main thread both print. */
  private static synchronized void emit(String json) {
    System.out.println(json);
    System.out.flush();
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
  }

  private static Map<String, String> parseArgs(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --name value, got " + args[i]);
      out.put(args[i].substring(2), args[i + 1]);
    }
    for (String required : new String[] {"brokers", "topic", "out", "checkpoint", "local-dir"}) {
      if (!out.containsKey(required)) throw new IllegalArgumentException("--" + required + " is required");
    }
    return out;
  }

  /** Writes one micro-batch's updated candles as a file of JSON lines, atomically. */
  private static void writeBatch(Dataset<Row> candles, long batchId, Path outDir) throws IOException {
    List<Row> rows = candles.collectAsList();
    if (rows.isEmpty()) return;
    StringBuilder lines = new StringBuilder(rows.size() * 200);
    for (Row r : rows) {
      lines.append("{\"symbol\":").append(quote(r.getString(0)))
          .append(",\"windowStart\":").append(r.getLong(1))
          .append(",\"open\":").append(r.getDouble(2))
          .append(",\"high\":").append(r.getDouble(3))
          .append(",\"low\":").append(r.getDouble(4))
          .append(",\"close\":").append(r.getDouble(5))
          .append(",\"volume\":").append(r.getDouble(6))
          .append(",\"notional\":").append(r.getDouble(7))
          .append(",\"count\":").append(r.getLong(8))
          .append(",\"lastTs\":").append(r.getLong(9))
          .append(",\"batchId\":").append(batchId)
          .append(",\"writtenMs\":%WRITTEN%}\n");
    }
    Path tmp = outDir.resolve(String.format(".batch-%010d.tmp", batchId));
    Path done = outDir.resolve(String.format("batch-%010d.jsonl", batchId));
    // Stamped last, so the time is that of the rename that makes the candles visible.
    String text = lines.toString().replace("%WRITTEN%", Long.toString(System.currentTimeMillis()));
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    // A retried batch (after a failure) rewrites its file with the same content: replace it.
    Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parseArgs(args);
    Path outDir = Path.of(opts.get("out"));
    Files.createDirectories(outDir);
    long watermarkMs = Long.parseLong(opts.getOrDefault("watermark-ms", "2000"));
    long triggerMs = Long.parseLong(opts.getOrDefault("trigger-ms", "0"));

    SparkSession spark = SparkSession.builder()
        .appName("tickstream-bench-peer")
        .master("local[" + opts.getOrDefault("cores", "2") + "]")
        .config("spark.ui.enabled", "false")
        // Everything on loopback: local mode needs no other interface.
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        // Spark's default of 200 shuffle partitions is meant for clusters; on two cores it would
        // spend most of each micro-batch on empty tasks and state-store commits.
        .config("spark.sql.shuffle.partitions", opts.getOrDefault("shuffle-partitions", "2"))
        .config("spark.local.dir", opts.get("local-dir"))
        .config("spark.sql.warehouse.dir", Path.of(opts.get("local-dir"), "warehouse").toString())
        .getOrCreate();

    spark.streams().addListener(new StreamingQueryListener() {
      @Override
      public void onQueryStarted(QueryStartedEvent event) {
        emit("{\"event\":\"started\",\"sparkVersion\":" + quote(spark.version()) + ",\"javaVersion\":"
            + quote(System.getProperty("java.version")) + ",\"atMs\":" + System.currentTimeMillis() + "}");
      }

      @Override
      public void onQueryProgress(QueryProgressEvent event) {
        StreamingQueryProgress p = event.progress();
        Long triggerExecution = p.durationMs().get("triggerExecution");
        emit("{\"event\":\"progress\",\"batchId\":" + p.batchId() + ",\"inputRows\":" + p.numInputRows()
            + ",\"triggerMs\":" + (triggerExecution == null ? 0 : triggerExecution)
            + ",\"atMs\":" + System.currentTimeMillis() + "}");
      }

      @Override
      public void onQueryTerminated(QueryTerminatedEvent event) {
        String error = event.exception().isDefined() ? event.exception().get() : "";
        emit("{\"event\":\"terminated\",\"error\":" + quote(error) + ",\"atMs\":" + System.currentTimeMillis() + "}");
      }
    });

    // The product's trade message (core/schemas.ts tradeSchema); a value that does not parse gives nulls.
    StructType trade = new StructType()
        .add("symbol", DataTypes.StringType)
        .add("ts", DataTypes.LongType)
        .add("price", DataTypes.DoubleType)
        .add("size", DataTypes.DoubleType)
        .add("tradeId", DataTypes.StringType)
        .add("venue", DataTypes.StringType)
        .add("suspicious", DataTypes.BooleanType);

    Dataset<Row> trades = spark.readStream()
        .format("kafka")
        .option("kafka.bootstrap.servers", opts.get("brokers"))
        .option("subscribe", opts.get("topic"))
        .option("startingOffsets", opts.getOrDefault("starting-offsets", "earliest"))
        .load()
        .select(from_json(col("value").cast("string"), trade).as("t"))
        .select(col("t.*"))
        // As the product: only valid, non-suspicious trades make candles.
        .where("symbol IS NOT NULL AND ts IS NOT NULL AND price > 0 AND size > 0 AND NOT coalesce(suspicious, false)")
        .withColumn("eventTime", expr("timestamp_millis(ts)"))
        .withWatermark("eventTime", watermarkMs + " milliseconds");

    // Open and close are the first and last trade by (event time, trade id), the product's order
    // (core/candles.ts): a replayed file's ids sort in file order, so ties keep the feed's order.
    Dataset<Row> candles = trades
        .groupBy(window(col("eventTime"), "1 minute"), col("symbol"))
        .agg(
            min_by(col("price"), struct(col("ts"), col("tradeId"))).as("open"),
            max(col("price")).as("high"),
            min(col("price")).as("low"),
            max_by(col("price"), struct(col("ts"), col("tradeId"))).as("close"),
            sum(col("size")).as("volume"),
            sum(col("price").multiply(col("size"))).as("notional"),
            count(lit(1)).as("count"),
            max(col("ts")).as("lastTs"))
        .select(
            col("symbol"),
            expr("unix_millis(window.start)").as("windowStart"),
            col("open"), col("high"), col("low"), col("close"),
            col("volume"), col("notional"), col("count"), col("lastTs"));

    StreamingQuery query = candles.writeStream()
        .outputMode("update")
        .option("checkpointLocation", opts.get("checkpoint"))
        .trigger(Trigger.ProcessingTime(triggerMs))
        .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, batchId) -> writeBatch(batch, batchId, outDir))
        .start();
    query.awaitTermination();
  }
}
