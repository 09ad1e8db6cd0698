package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP with several concurrent raw clients, every scenario run on Ferry
 * and on a real redis-server 7.0 and the replies compared byte for byte: FIFO wake order, fractional timeouts
 * (never earlier than asked), wake-ups by another client's push, by MULTI/EXEC and by a blocked BLMOVE's push,
 * pipelined input held while blocked, disconnection while blocked, INFO blocked_clients and CLIENT LIST's
 * flag, and the replication stream of woken pops.
 */
@QuarkusTest
class BlockingListTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    /** A scenario over several clients; returns the replies it read, in order. */
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

    /** Waits until the server reports n blocked clients (INFO clients). */
    static void awaitBlocked(int port, int n) throws Exception {
        try (RawClient c = new RawClient(port)) {
            long until = System.currentTimeMillis() + 10_000;
            while (true) {
                String info = c.call("INFO", "clients");
                if (info.contains("blocked_clients:" + n + "\r\n")) return;
                if (System.currentTimeMillis() > until) throw new AssertionError("never " + n + " blocked: " + info);
                Thread.sleep(5);
            }
        }
    }

    @Test
    void wakeOrderIsFifo() throws Exception {
        List<String> r = compare((port, replies) -> {
            try (RawClient a = new RawClient(port); RawClient b = new RawClient(port); RawClient c = new RawClient(port);
                 RawClient pusher = new RawClient(port)) {
                pusher.call("DEL", "bl:fifo", "bl:fifo2");
                a.sendRaw(bytes("BLPOP", "bl:fifo", "0"));
                awaitBlocked(port, 1);
                b.sendRaw(bytes("BRPOP", "bl:fifo2", "bl:fifo", "0"));
                awaitBlocked(port, 2);
                c.sendRaw(bytes("BLMPOP", "0", "1", "bl:fifo", "LEFT", "COUNT", "2"));
                awaitBlocked(port, 3);
                replies.add(pusher.call("CLIENT", "LIST").contains("flags=b ") ? "flag b" : "no flag b");
                replies.add(pusher.call("RPUSH", "bl:fifo", "1", "2", "3", "4", "5"));
                replies.add(a.readReply());
                replies.add(b.readReply());
                replies.add(c.readReply());
                replies.add(pusher.call("LRANGE", "bl:fifo", "0", "-1"));
                awaitBlocked(port, 0);
            }
        });
        assertEquals("flag b", r.get(0));
        assertEquals("*2\r\n$7\r\nbl:fifo\r\n$1\r\n1\r\n", r.get(2));
    }

    @Test
    void timeoutsAreNotEarly() throws Exception {
        for (int protocol : new int[] {2, 3}) {
            compare((port, replies) -> {
                try (RawClient c = new RawClient(port)) {
                    if (protocol == 3) c.call("HELLO", "3");
                    c.call("DEL", "bl:none");
                    String[][] cmds = {
                        {"BLPOP", "bl:none", "0.1"}, {"BRPOP", "bl:none", "bl:none2", "0.15"},
                        {"BLMOVE", "bl:none", "bl:x", "LEFT", "RIGHT", "0.1"}, {"BRPOPLPUSH", "bl:none", "bl:x", "0.1"},
                        {"BLMPOP", "0.1", "1", "bl:none", "RIGHT"},
                    };
                    for (String[] cmd : cmds) {
                        long start = System.nanoTime();
                        replies.add(c.call(cmd));
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        long asked = (long) (Double.parseDouble(cmd[0].equals("BLMPOP") ? cmd[1] : cmd[cmd.length - 1]) * 1000);
                        assertTrue(ms >= asked, cmd[0] + " returned after " + ms + " ms, asked " + asked);
                    }
                    replies.add(c.call("PING"));
                }
            });
        }
    }

    @Test
    void pushFromAnotherClientAndPipelinedInputWaits() throws Exception {
        compare((port, replies) -> {
            try (RawClient a = new RawClient(port); RawClient pusher = new RawClient(port)) {
                pusher.call("DEL", "bl:pipe");
                byte[] blpop = bytes("BLPOP", "bl:pipe", "0");
                byte[] ping = RawClient.encode("PING".getBytes());
                byte[] both = new byte[blpop.length + ping.length];
                System.arraycopy(blpop, 0, both, 0, blpop.length);
                System.arraycopy(ping, 0, both, blpop.length, ping.length);
                a.sendRaw(new String(both, java.nio.charset.StandardCharsets.ISO_8859_1));
                awaitBlocked(port, 1);
                // the PING behind the BLPOP is not executed while it waits
                replies.add(pusher.call("LPUSH", "bl:pipe", "v"));
                replies.add(a.readReply());
                replies.add(a.readReply());
                replies.add(pusher.call("EXISTS", "bl:pipe"));
            }
        });
    }

    @Test
    void wakeByMultiExecAndByBlmovePush() throws Exception {
        compare((port, replies) -> {
            try (RawClient a = new RawClient(port); RawClient b = new RawClient(port); RawClient c = new RawClient(port);
                 RawClient pusher = new RawClient(port)) {
                pusher.call("DEL", "bl:m1", "bl:m2", "bl:m3");
                a.sendRaw(bytes("BLMOVE", "bl:m1", "bl:m2", "RIGHT", "LEFT", "0"));
                awaitBlocked(port, 1);
                b.sendRaw(bytes("BRPOPLPUSH", "bl:m2", "bl:m3", "0"));
                awaitBlocked(port, 2);
                c.sendRaw(bytes("BLPOP", "bl:m3", "0"));
                awaitBlocked(port, 3);
                replies.add(pusher.call("MULTI"));
                replies.add(pusher.call("RPUSH", "bl:m1", "a", "b"));
                replies.add(pusher.call("RPUSH", "bl:m1", "c"));
                replies.add(pusher.call("LPOP", "bl:m1"));
                replies.add(pusher.call("EXEC"));
                replies.add(a.readReply());
                replies.add(b.readReply());
                replies.add(c.readReply());
                replies.add(pusher.call("LRANGE", "bl:m1", "0", "-1"));
                replies.add(pusher.call("EXISTS", "bl:m2", "bl:m3"));
                // a push that is undone in the same transaction wakes nobody
                a.sendRaw(bytes("BLPOP", "bl:m4", "0"));
                awaitBlocked(port, 1);
                pusher.call("MULTI");
                pusher.call("RPUSH", "bl:m4", "x");
                pusher.call("DEL", "bl:m4");
                replies.add(pusher.call("EXEC"));
                replies.add(pusher.call("RPUSH", "bl:m4", "y"));
                replies.add(a.readReply());
                // a destination of another type: the woken BLMOVE answers WRONGTYPE
                pusher.call("SET", "bl:str", "s");
                a.sendRaw(bytes("BLMOVE", "bl:m5", "bl:str", "LEFT", "LEFT", "0"));
                awaitBlocked(port, 1);
                replies.add(pusher.call("RPUSH", "bl:m5", "z"));
                replies.add(a.readReply());
                replies.add(pusher.call("LLEN", "bl:m5"));
                pusher.call("DEL", "bl:str", "bl:m5");
            }
        });
    }

    @Test
    void clientUnblock() throws Exception {
        compare((port, replies) -> {
            try (RawClient a = new RawClient(port); RawClient admin = new RawClient(port)) {
                String id = a.call("CLIENT", "ID").substring(1).trim();
                replies.add(admin.call("CLIENT", "UNBLOCK", id));
                replies.add(admin.call("CLIENT", "UNBLOCK", id, "bogus"));
                replies.add(admin.call("CLIENT", "UNBLOCK", "x"));
                replies.add(admin.call("CLIENT", "UNBLOCK", id, "TIMEOUT", "x"));
                a.sendRaw(bytes("BLPOP", "bl:ub", "0"));
                awaitBlocked(port, 1);
                replies.add(admin.call("CLIENT", "UNBLOCK", id, "TIMEOUT"));
                replies.add(a.readReply());
                a.sendRaw(bytes("BLMOVE", "bl:ub", "bl:ub2", "LEFT", "LEFT", "0"));
                awaitBlocked(port, 1);
                replies.add(admin.call("CLIENT", "UNBLOCK", id, "error"));
                replies.add(a.readReply());
                replies.add(a.call("PING"));
                awaitBlocked(port, 0);
            }
        });
    }

    @Test
    void swapdbServesKeysThatNowExist() throws Exception {
        compare((port, replies) -> {
            try (RawClient a = new RawClient(port); RawClient admin = new RawClient(port)) {
                a.call("SELECT", "9");
                admin.call("SELECT", "8");
                admin.call("DEL", "bl:sw");
                a.call("DEL", "bl:sw");
                a.sendRaw(bytes("BLPOP", "bl:sw", "0"));
                awaitBlocked(port, 1);
                replies.add(admin.call("RPUSH", "bl:sw", "x", "y"));
                replies.add(admin.call("SWAPDB", "8", "9"));
                replies.add(a.readReply());
                replies.add(a.call("LRANGE", "bl:sw", "0", "-1"));
                a.call("DEL", "bl:sw");
            }
        });
    }

    @Test
    void disconnectWhileBlocked() throws Exception {
        compare((port, replies) -> {
            try (RawClient pusher = new RawClient(port)) {
                pusher.call("DEL", "bl:gone");
                RawClient a = new RawClient(port);
                a.sendRaw(bytes("BLPOP", "bl:gone", "0"));
                awaitBlocked(port, 1);
                a.close();
                awaitBlocked(port, 0);
                replies.add(pusher.call("RPUSH", "bl:gone", "kept"));
                replies.add(pusher.call("LRANGE", "bl:gone", "0", "-1"));
                pusher.call("DEL", "bl:gone");
            }
        });
    }

    @Test
    void wokenPopsPropagateLikeRedis() throws Exception {
        List<List<String>> stream = ListPropagationTest.compare(redis.port(), port -> {
            try (RawClient a = new RawClient(port); RawClient b = new RawClient(port); RawClient c = new RawClient(port);
                 RawClient d = new RawClient(port); RawClient pusher = new RawClient(port)) {
                pusher.call("DEL", "lp:w1", "lp:w2", "lp:w3", "lp:w4");
                a.sendRaw(bytes("BLPOP", "lp:w1", "0"));
                awaitBlocked(port, 1);
                b.sendRaw(bytes("BLMOVE", "lp:w1", "lp:w2", "RIGHT", "LEFT", "0"));
                awaitBlocked(port, 2);
                c.sendRaw(bytes("BLMPOP", "0", "2", "lp:w3", "lp:w2", "RIGHT", "COUNT", "5"));
                awaitBlocked(port, 3);
                d.sendRaw(bytes("BRPOPLPUSH", "lp:w4", "lp:w1", "0"));
                awaitBlocked(port, 4);
                pusher.call("RPUSH", "lp:w1", "1", "2", "3");
                a.readReply();
                b.readReply();
                c.readReply();
                pusher.call("RPUSH", "lp:w4", "x");
                d.readReply();
                a.sendRaw(bytes("BRPOP", "lp:w5", "0"));
                awaitBlocked(port, 1);
                pusher.call("MULTI");
                pusher.call("LPUSH", "lp:w5", "p", "q");
                // two writes: a one-write EXEC reaches Redis 7.0's stream without MULTI/EXEC, Ferry's with them
                // (a difference of the transaction code, not of the lists)
                pusher.call("RPUSH", "lp:w5", "r");
                pusher.call("EXEC");
                a.readReply();
                pusher.call("DEL", "lp:w1", "lp:w5");
            }
        });
        assertTrue(stream.contains(List.of("LPOP", "lp:w1")), stream::toString);
    }

    private static byte[] bytes(String... args) {
        byte[][] b = new byte[args.length][];
        for (int i = 0; i < args.length; i++) b[i] = args[i].getBytes();
        return RawClient.encode(b);
    }
}
