package dev.ferry.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random writes of every family (strings, bitmaps, HyperLogLog, lists, hashes, sets, sorted sets, keys and
 * expiry, MULTI/EXEC, several databases), for tests that compare two servers' datasets after replication.
 * Keys are drawn from a small space under a prefix, so commands hit existing values, wrong types and big
 * values alike. Replies are not checked here: the datasets are, by DEBUG DIGEST.
 */
public final class RandomWorkload {
    private final Random rnd;
    private final String prefix;

    public RandomWorkload(long seed, String prefix) {
        this.rnd = new Random(seed);
        this.prefix = prefix;
    }

    /** Sends n random commands on the client (pipelined in batches) and reads every reply. */
    public void run(RawClient c, int n) throws IOException {
        int done = 0;
        while (done < n) {
            int batch = Math.min(n - done, 1 + rnd.nextInt(50));
            List<String[]> cmds = new ArrayList<>();
            for (int i = 0; i < batch; i++) cmds.add(next());
            for (String[] cmd : cmds) c.send(bytes(cmd));
            for (int i = 0; i < cmds.size(); i++) c.readReply();
            done += batch;
        }
        // an open transaction ends (or EXEC answers an error, which changes nothing)
        c.call("EXEC");
    }

    private static byte[][] bytes(String[] cmd) {
        byte[][] b = new byte[cmd.length][];
        for (int i = 0; i < cmd.length; i++) b[i] = cmd[i].getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return b;
    }

    private String key(String type) {
        // mostly keys of the type, sometimes any key: wrong types too
        String t = rnd.nextInt(10) == 0 ? "any" : type;
        return prefix + t + ":" + rnd.nextInt(20);
    }

    private String member() {
        return switch (rnd.nextInt(4)) {
            case 0 -> Integer.toString(rnd.nextInt(1000));
            case 1 -> "m" + rnd.nextInt(300);
            case 2 -> "long-member-".repeat(1 + rnd.nextInt(8)) + rnd.nextInt(50);
            default -> Integer.toString(rnd.nextInt(100) - 50);
        };
    }

    private String score() {
        return switch (rnd.nextInt(5)) {
            case 0 -> Integer.toString(rnd.nextInt(100));
            case 1 -> Double.toString(rnd.nextDouble() * 1000 - 500);
            case 2 -> rnd.nextBoolean() ? "inf" : "-inf";
            default -> Integer.toString(rnd.nextInt(10));
        };
    }

    private String[] many(String cmd, String key, int pairs, boolean withScore, boolean hashPairs) {
        List<String> a = new ArrayList<>(List.of(cmd, key));
        for (int i = 0; i < pairs; i++) {
            if (withScore) a.add(score());
            if (hashPairs) a.add("f" + rnd.nextInt(200));
            a.add(member());
        }
        return a.toArray(new String[0]);
    }

    /** One random command. */
    public String[] next() {
        int big = rnd.nextInt(20) == 0 ? 300 : 1 + rnd.nextInt(5);
        return switch (rnd.nextInt(40)) {
            case 0, 1 -> new String[] {"SET", key("s"), member()};
            case 2 -> new String[] {"INCRBY", key("s"), Integer.toString(rnd.nextInt(100))};
            case 3 -> new String[] {"APPEND", key("s"), member()};
            case 4 -> new String[] {"SET", key("s"), member(), "PX", Integer.toString(1 + rnd.nextInt(3000))};
            case 5 -> new String[] {"SETBIT", key("b"), Integer.toString(rnd.nextInt(5000)), Integer.toString(rnd.nextInt(2))};
            case 6 -> new String[] {"INCRBYFLOAT", key("s"), "1.5"};
            case 7 -> many("PFADD", key("h"), big, false, false);
            case 8, 9 -> many(rnd.nextBoolean() ? "LPUSH" : "RPUSH", key("l"), big, false, false);
            case 10 -> new String[] {rnd.nextBoolean() ? "LPOP" : "RPOP", key("l"), Integer.toString(1 + rnd.nextInt(3))};
            case 11 -> new String[] {"LTRIM", key("l"), Integer.toString(rnd.nextInt(5)), Integer.toString(-1 - rnd.nextInt(50))};
            case 12 -> new String[] {"LSET", key("l"), Integer.toString(rnd.nextInt(10) - 5), member()};
            case 13 -> new String[] {"LREM", key("l"), Integer.toString(rnd.nextInt(5) - 2), member()};
            case 14 -> new String[] {"LMOVE", key("l"), key("l"), rnd.nextBoolean() ? "LEFT" : "RIGHT", "LEFT"};
            case 15, 16 -> many("HSET", key("x"), big, false, true);
            case 17 -> new String[] {"HDEL", key("x"), "f" + rnd.nextInt(200)};
            case 18 -> new String[] {"HINCRBY", key("x"), "f" + rnd.nextInt(200), Integer.toString(rnd.nextInt(10))};
            case 19 -> new String[] {"HINCRBYFLOAT", key("x"), "n" + rnd.nextInt(5), "0.25"};
            case 20, 21 -> many("SADD", key("t"), big, false, false);
            case 22 -> new String[] {"SREM", key("t"), member()};
            case 23 -> new String[] {"SPOP", key("t"), Integer.toString(rnd.nextInt(3))};
            case 24 -> new String[] {"SINTERSTORE", key("t"), key("t"), key("t")};
            case 25 -> new String[] {"SMOVE", key("t"), key("t"), member()};
            case 26, 27 -> many("ZADD", key("z"), big, true, false);
            case 28 -> new String[] {"ZINCRBY", key("z"), score(), member()};
            case 29 -> new String[] {"ZREM", key("z"), member()};
            case 30 -> new String[] {"ZPOPMIN", key("z"), Integer.toString(1 + rnd.nextInt(3))};
            case 31 -> new String[] {"ZUNIONSTORE", key("z"), "2", key("z"), key("z"), "AGGREGATE", "MAX"};
            case 32 -> new String[] {"ZREMRANGEBYRANK", key("z"), "0", Integer.toString(rnd.nextInt(3))};
            case 33 -> new String[] {"DEL", key("any")};
            case 34 -> new String[] {"EXPIRE", key("s"), Integer.toString(1 + rnd.nextInt(100))};
            case 35 -> new String[] {"PEXPIRE", key(rnd.nextBoolean() ? "l" : "x"), Integer.toString(1 + rnd.nextInt(2000))};
            case 36 -> new String[] {"RENAME", key("s"), key("s")};
            case 37 -> new String[] {"SELECT", Integer.toString(rnd.nextInt(3))};
            case 38 -> new String[] {"COPY", key("z"), key("z"), "REPLACE"};
            // transactions: the commands between a MULTI and the next EXEC are queued
            default -> new String[] {rnd.nextBoolean() ? "MULTI" : "EXEC"};
        };
    }
}
