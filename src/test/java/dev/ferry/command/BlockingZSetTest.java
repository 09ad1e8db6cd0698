package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static dev.ferry.command.BlockingListTest.awaitBlocked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BZPOPMIN, BZPOPMAX and BZMPOP with several concurrent raw clients, every scenario run on Ferry and on a real
 * redis-server 7.0 and the replies compared byte for byte (RESP2 and RESP3): served at once, argument errors and
 * WRONGTYPE, fractional timeouts (never earlier than asked), FIFO wake order over several keys, wake-ups by ZADD,
 * by MULTI/EXEC, by ZUNIONSTORE and ZRANGESTORE creating the key, keys of another type not serving, MULTI never
 * blocking, COMMAND INFO / GETKEYS, and the replication stream of immediate and woken pops.
 */
@QuarkusTest
class BlockingZSetTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    interface Scenario {
        void run(int port, List<String> replies) throws Exception;
    }

    private static List<String> compare(Scenario s) throws Exception {
        List<String> expected = new ArrayList<>(), actual = new ArrayList<>();
        s.run(redis.port(), expected);
        s.run(FerryPort.get(), actual);
        assertEquals(expected, actual);
        return actual;
    }

    @Test
    void immediateRepliesAndErrors() throws Exception {
        for (int protocol : new int[] {2, 3}) {
            compare((port, replies) -> {
                try (RawClient c = new RawClient(port)) {
                    if (protocol == 3) c.call("HELLO", "3");
                    c.call("DEL", "bz:a", "bz:b", "bz:s", "bz:set");
                    c.call("ZADD", "bz:a", "1", "one", "2.5", "two", "3", "three", "-inf", "low");
                    c.call("SET", "bz:s", "str");
                    c.call("SADD", "bz:set", "m");
                    String[][] cmds = {
                        {"BZPOPMIN", "bz:none", "bz:a", "0"}, {"BZPOPMAX", "bz:a", "0"},
                        {"BZMPOP", "0", "2", "bz:none", "bz:a", "MIN"}, {"BZMPOP", "1", "1", "bz:a", "max", "count", "10"},
                        {"EXISTS", "bz:a"},
                        // WRONGTYPE: a key of another type before the first sorted set, not after it
                        {"ZADD", "bz:b", "7", "x", "8", "y", "9", "z", "10", "w", "11", "v", "12", "u"},
                        {"BZPOPMIN", "bz:s", "bz:b", "0"}, {"BZPOPMIN", "bz:b", "bz:s", "0"},
                        {"BZPOPMAX", "bz:set", "0"}, {"BZMPOP", "0", "2", "bz:none", "bz:set", "MIN"},
                        {"BZMPOP", "0", "2", "bz:b", "bz:set", "MIN", "COUNT", "1"},
                        // timeouts
                        {"BZPOPMIN", "bz:b", "-1"}, {"BZPOPMIN", "bz:b", "abc"}, {"BZPOPMIN", "bz:b", "1e400"},
                        {"BZPOPMAX", "bz:b", "nan"}, {"BZPOPMIN", "bz:b", "inf"}, {"BZPOPMIN", "bz:b", "-0.0001"},
                        // BZMPOP reads its arguments before its timeout
                        {"BZMPOP", "x", "1", "bz:b", "MIX"}, {"BZMPOP", "x", "1", "bz:b", "MIN"},
                        {"BZMPOP", "0", "0", "bz:b", "MIN"}, {"BZMPOP", "0", "-1", "bz:b", "MIN"},
                        {"BZMPOP", "0", "x", "bz:b", "MIN"}, {"BZMPOP", "0", "3", "bz:b", "MIN"},
                        {"BZMPOP", "0", "1", "bz:b", "MIN", "COUNT"}, {"BZMPOP", "0", "1", "bz:b", "MIN", "COUNT", "0"},
                        {"BZMPOP", "0", "1", "bz:b", "MIN", "COUNT", "-1"}, {"BZMPOP", "0", "1", "bz:b", "MIN", "COUNT", "1", "COUNT", "1"},
                        {"BZMPOP", "0", "1", "bz:b", "MIN", "junk"}, {"BZMPOP", "0", "1", "bz:b"},
                        {"BZMPOP", "0", "9223372036854775807", "bz:b", "MIN"}, {"BZMPOP", "0", "9223372036854775806", "bz:b", "MIN"},
                        {"BZMPOP", "0", "2147483648", "bz:b", "MIN"}, {"BZMPOP", "0", "9223372036854775808", "bz:b", "MIN"},
                        {"BZPOPMIN", "bz:b"}, {"BZMPOP", "0", "1", "bz:b", "MIN", "COUNT", "1"},
                        {"ZRANGE", "bz:b", "0", "-1", "WITHSCORES"},
                    };
                    for (String[] cmd : cmds) replies.add(String.join(" ", cmd) + " -> " + c.call(cmd));
                    c.call("DEL", "bz:b", "bz:s", "bz:set");
                }
            });
        }
    }

    @Test
    void timeoutsAreNotEarly() throws Exception {
        for (int protocol : new int[] {2, 3}) {
            compare((port, replies) -> {
                try (RawClient c = new RawClient(port)) {
                    if (protocol == 3) c.call("HELLO", "3");
                    c.call("DEL", "bz:none");
                    String[][] cmds = {
                        {"BZPOPMIN", "bz:none", "0.1"}, {"BZPOPMAX", "bz:none", "bz:none2", "0.15"},
                        {"BZMPOP", "0.1", "1", "bz:none", "MAX", "COUNT", "3"},
                    };
                    for (String[] cmd : cmds) {
                        long start = System.nanoTime();
                        replies.add(c.call(cmd));
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        long asked = (long) (Double.parseDouble(cmd[0].equals("BZMPOP") ? cmd[1] : cmd[cmd.length - 1]) * 1000);
                        assertTrue(ms >= asked, cmd[0] + " returned after " + ms + " ms, asked " + asked);
                    }
                    replies.add(c.call("PING"));
                }
            });
        }
    }

    @Test
    void wakeOrderIsFifo() throws Exception {
        List<String> r = compare((port, replies) -> {
            try (RawClient a = new RawClient(port); RawClient b = new RawClient(port); RawClient c = new RawClient(port);
                 RawClient d = new RawClient(port); RawClient e = new RawClient(port); RawClient adder = new RawClient(port)) {
                adder.call("DEL", "bz:f", "bz:f2");
                d.call("HELLO", "3");
                e.call("HELLO", "3");
                a.sendRaw(bytes("BZPOPMIN", "bz:f", "0"));
                awaitBlocked(port, 1);
                b.sendRaw(bytes("BZPOPMAX", "bz:f2", "bz:f", "0"));
                awaitBlocked(port, 2);
                c.sendRaw(bytes("BZMPOP", "0", "2", "bz:f2", "bz:f", "MIN", "COUNT", "2"));
                awaitBlocked(port, 3);
                d.sendRaw(bytes("BZPOPMIN", "bz:f", "5"));
                awaitBlocked(port, 4);
                e.sendRaw(bytes("BZMPOP", "0", "1", "bz:f", "MAX"));
                awaitBlocked(port, 5);
                replies.add(adder.call("ZADD", "bz:f", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6.5", "f"));
                replies.add(a.readReply());
                replies.add(b.readReply());
                replies.add(c.readReply());
                replies.add(d.readReply());
                replies.add(e.readReply());
                awaitBlocked(port, 0);
                replies.add(adder.call("EXISTS", "bz:f"));
                // a key emptied by the first waiter leaves the next one blocked
                a.sendRaw(bytes("BZMPOP", "0", "1", "bz:f", "MIN", "COUNT", "5"));
                awaitBlocked(port, 1);
                b.sendRaw(bytes("BZPOPMIN", "bz:f", "0"));
                awaitBlocked(port, 2);
                replies.add(adder.call("ZADD", "bz:f", "1", "x", "2", "y"));
                replies.add(a.readReply());
                replies.add(adder.call("ZADD", "bz:f", "3", "z"));
                replies.add(b.readReply());
                awaitBlocked(port, 0);
            }
        });
        assertEquals("*3\r\n$4\r\nbz:f\r\n$1\r\na\r\n$1\r\n1\r\n", r.get(1));
    }

    @Test
    void wakeByMultiExecStoreAndOtherTypes() throws Exception {
        compare((port, replies) -> {
            try (RawClient a = new RawClient(port); RawClient b = new RawClient(port); RawClient c = new RawClient(port);
                 RawClient w = new RawClient(port)) {
                w.call("DEL", "bz:m1", "bz:m2", "bz:m3", "bz:src", "bz:t", "bz:o");
                a.sendRaw(bytes("BZPOPMIN", "bz:m1", "0"));
                awaitBlocked(port, 1);
                b.sendRaw(bytes("BZMPOP", "0", "2", "bz:m2", "bz:m1", "MAX", "COUNT", "10"));
                awaitBlocked(port, 2);
                replies.add(w.call("MULTI"));
                replies.add(w.call("ZADD", "bz:m1", "1", "a", "2", "b"));
                replies.add(w.call("ZADD", "bz:m1", "3", "c"));
                replies.add(w.call("ZREM", "bz:m1", "b"));
                replies.add(w.call("EXEC"));
                replies.add(a.readReply());
                replies.add(b.readReply());
                replies.add(w.call("EXISTS", "bz:m1"));
                // a key created then deleted inside the same transaction wakes nobody
                a.sendRaw(bytes("BZPOPMAX", "bz:m3", "0"));
                awaitBlocked(port, 1);
                w.call("MULTI");
                w.call("ZADD", "bz:m3", "1", "x");
                w.call("DEL", "bz:m3");
                replies.add(w.call("EXEC"));
                // ZUNIONSTORE creating the key (from a plain set and a sorted set) serves the waiter
                w.call("SADD", "bz:src", "s1", "s2");
                replies.add(w.call("ZUNIONSTORE", "bz:m3", "1", "bz:src", "WEIGHTS", "4"));
                replies.add(a.readReply());
                // ZRANGESTORE too
                w.call("ZADD", "bz:t", "1", "p", "2", "q", "3", "r");
                a.sendRaw(bytes("BZMPOP", "0", "1", "bz:m2", "MIN", "COUNT", "2"));
                awaitBlocked(port, 1);
                replies.add(w.call("ZRANGESTORE", "bz:m2", "bz:t", "1", "-1"));
                replies.add(a.readReply());
                // a key of another type does not serve a sorted-set waiter; a list waiter on the same key is
                // served by a push, the sorted-set one by ZADD
                w.call("DEL", "bz:m2");
                a.sendRaw(bytes("BZPOPMIN", "bz:m2", "0"));
                awaitBlocked(port, 1);
                c.sendRaw(bytes("BLPOP", "bz:m2", "0"));
                awaitBlocked(port, 2);
                replies.add(w.call("SADD", "bz:m2", "member"));
                replies.add(w.call("DEL", "bz:m2"));
                replies.add(w.call("RPUSH", "bz:m2", "elem"));
                replies.add(c.readReply());
                replies.add(w.call("ZADD", "bz:m2", "9", "nine"));
                replies.add(a.readReply());
                awaitBlocked(port, 0);
                // a list created on the key leaves the waiter blocked; a store then overwriting the list does not
                // signal the key (setKey's dbOverwrite): the waiter times out, as in Redis 7.0
                a.sendRaw(bytes("BZPOPMIN", "bz:o", "0.3"));
                awaitBlocked(port, 1);
                replies.add(w.call("RPUSH", "bz:o", "elem"));
                replies.add(w.call("ZUNIONSTORE", "bz:o", "1", "bz:src"));
                replies.add(a.readReply());
                replies.add(w.call("ZCARD", "bz:o"));
                w.call("DEL", "bz:src", "bz:t", "bz:m2", "bz:m3", "bz:o");
            }
        });
    }

    @Test
    void insideMultiTheyNeverBlock() throws Exception {
        for (int protocol : new int[] {2, 3}) {
            compare((port, replies) -> {
                try (RawClient c = new RawClient(port)) {
                    if (protocol == 3) c.call("HELLO", "3");
                    c.call("DEL", "bz:x", "bz:y");
                    replies.add(c.call("MULTI"));
                    replies.add(c.call("BZPOPMIN", "bz:x", "0"));
                    replies.add(c.call("BZPOPMAX", "bz:x", "bz:y", "1"));
                    replies.add(c.call("BZMPOP", "0", "1", "bz:x", "MIN"));
                    replies.add(c.call("ZADD", "bz:y", "1", "a", "2", "b"));
                    replies.add(c.call("BZMPOP", "0", "2", "bz:x", "bz:y", "MAX", "COUNT", "1"));
                    replies.add(c.call("BZPOPMIN", "bz:x", "bz:y", "0"));
                    replies.add(c.call("BZPOPMIN", "bz:y", "0"));
                    replies.add(c.call("EXEC"));
                    replies.add(c.call("EXISTS", "bz:y"));
                }
            });
        }
    }

    @Test
    void commandInfo() throws Exception {
        compare((port, replies) -> {
            try (RawClient c = new RawClient(port)) {
                for (String cmd : new String[] {"bzpopmin", "bzpopmax", "bzmpop"}) replies.add(c.call("COMMAND", "INFO", cmd));
                replies.add(c.call("COMMAND", "GETKEYS", "BZMPOP", "0", "2", "k1", "k2", "MIN"));
                replies.add(c.call("COMMAND", "GETKEYS", "BZPOPMIN", "k1", "k2", "0"));
            }
        });
    }

    @Test
    void popsPropagateLikeRedis() throws Exception {
        List<List<String>> stream = ListPropagationTest.compare(redis.port(), port -> {
            try (RawClient a = new RawClient(port); RawClient b = new RawClient(port); RawClient c = new RawClient(port);
                 RawClient w = new RawClient(port)) {
                w.call("DEL", "lp:z1", "lp:z2", "lp:z3", "lp:z4");
                // served at once
                w.call("ZADD", "lp:z1", "1", "a", "2", "b", "3", "c");
                w.call("BZPOPMIN", "lp:z0", "lp:z1", "0");
                w.call("BZPOPMAX", "lp:z1", "0");
                w.call("ZADD", "lp:z1", "4", "d", "5", "e");
                w.call("BZMPOP", "0", "1", "lp:z1", "MIN", "COUNT", "10");
                w.call("ZADD", "lp:z1", "6", "f");
                w.call("BZMPOP", "0", "1", "lp:z1", "MAX");
                // woken
                a.sendRaw(bytes("BZPOPMIN", "lp:z2", "0"));
                awaitBlocked(port, 1);
                b.sendRaw(bytes("BZMPOP", "0", "2", "lp:z3", "lp:z2", "MAX", "COUNT", "5"));
                awaitBlocked(port, 2);
                c.sendRaw(bytes("BZPOPMAX", "lp:z2", "0"));
                awaitBlocked(port, 3);
                w.call("ZADD", "lp:z2", "1", "a", "2", "b", "3", "c");
                a.readReply();
                b.readReply();
                w.call("ZADD", "lp:z2", "4", "d", "5", "e");
                c.readReply();
                a.sendRaw(bytes("BZMPOP", "0", "1", "lp:z4", "MIN"));
                awaitBlocked(port, 1);
                w.call("MULTI");
                w.call("ZADD", "lp:z4", "1", "p", "2", "q");
                w.call("ZADD", "lp:z4", "3", "r");
                w.call("EXEC");
                a.readReply();
                w.call("DEL", "lp:z2", "lp:z4");
            }
        });
        assertTrue(stream.contains(List.of("ZPOPMIN", "lp:z2")), stream::toString);
    }

    private static byte[] bytes(String... args) {
        byte[][] b = new byte[args.length][];
        for (int i = 0; i < args.length; i++) b[i] = args[i].getBytes();
        return RawClient.encode(b);
    }
}
