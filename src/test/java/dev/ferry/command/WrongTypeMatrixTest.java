package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RedisPeer;
import dev.ferry.support.Resp;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Arrays;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WRONGTYPE matrix: every command that reads or writes a typed value, run against a key of each type
 * (string, list, hash, set, sorted set), on Ferry and on redis-server, replies compared byte for byte. The
 * keys are rebuilt before each command, so a write that succeeds on its own type cannot leak into the next
 * case. Also the generic commands that see every type (TYPE, OBJECT ENCODING, COPY, RENAME, EXISTS).
 */
@QuarkusTest
class WrongTypeMatrixTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    static final String[] TYPED_KEYS = {"wt:string", "wt:list", "wt:hash", "wt:set", "wt:zset", "wt:missing"};

    /** K is replaced by each key in turn; O is a second key of the same name with a suffix. */
    static final String[][] COMMANDS = {
        // strings and bitmaps
        {"GET", "K"}, {"SET", "K", "v"}, {"APPEND", "K", "x"}, {"STRLEN", "K"}, {"INCR", "K"}, {"INCRBYFLOAT", "K", "1.5"},
        {"GETRANGE", "K", "0", "-1"}, {"SETRANGE", "K", "1", "x"}, {"GETSET", "K", "v"}, {"GETDEL", "K"}, {"GETEX", "K"},
        {"MGET", "K", "O"}, {"SETBIT", "K", "3", "1"}, {"GETBIT", "K", "3"}, {"BITCOUNT", "K"}, {"BITPOS", "K", "1"},
        {"BITOP", "AND", "O", "K"}, {"BITFIELD", "K", "GET", "u8", "0"}, {"LCS", "K", "O"},
        {"PFADD", "K", "a"}, {"PFCOUNT", "K"}, {"PFMERGE", "O", "K"},
        // lists
        {"LPUSH", "K", "a"}, {"RPUSHX", "K", "a"}, {"LPOP", "K"}, {"RPOP", "K", "2"}, {"LLEN", "K"}, {"LRANGE", "K", "0", "-1"},
        {"LINDEX", "K", "0"}, {"LSET", "K", "0", "x"}, {"LINSERT", "K", "BEFORE", "a", "b"}, {"LREM", "K", "0", "a"},
        {"LTRIM", "K", "0", "1"}, {"LPOS", "K", "a"}, {"LMOVE", "K", "O", "LEFT", "RIGHT"}, {"RPOPLPUSH", "O", "K"},
        {"LMPOP", "1", "K", "LEFT"}, {"BLPOP", "K", "0.01"}, {"BLMOVE", "K", "O", "LEFT", "LEFT", "0.01"},
        // hashes
        {"HSET", "K", "f", "v"}, {"HSETNX", "K", "f", "v"}, {"HGET", "K", "f"}, {"HMGET", "K", "f", "g"}, {"HDEL", "K", "f"},
        {"HLEN", "K"}, {"HSTRLEN", "K", "f"}, {"HEXISTS", "K", "f"}, {"HKEYS", "K"}, {"HVALS", "K"}, {"HGETALL", "K"},
        {"HINCRBY", "K", "n", "1"}, {"HINCRBYFLOAT", "K", "n", "1.5"}, {"HRANDFIELD", "K"}, {"HSCAN", "K", "0"},
        // sets
        {"SADD", "K", "a"}, {"SREM", "K", "a"}, {"SCARD", "K"}, {"SISMEMBER", "K", "a"}, {"SMISMEMBER", "K", "a", "b"},
        {"SMEMBERS", "K"}, {"SPOP", "K", "0"}, {"SRANDMEMBER", "K", "0"}, {"SMOVE", "K", "O", "a"}, {"SINTER", "K", "O"},
        {"SINTERCARD", "2", "K", "O"}, {"SUNION", "K"}, {"SDIFF", "K", "O"}, {"SUNIONSTORE", "O", "K"}, {"SSCAN", "K", "0"},
        // sorted sets
        {"ZADD", "K", "1", "a"}, {"ZINCRBY", "K", "1", "a"}, {"ZREM", "K", "a"}, {"ZCARD", "K"}, {"ZCOUNT", "K", "-inf", "+inf"},
        {"ZLEXCOUNT", "K", "-", "+"}, {"ZSCORE", "K", "a"}, {"ZMSCORE", "K", "a"}, {"ZRANK", "K", "a"}, {"ZREVRANK", "K", "a"},
        {"ZRANGE", "K", "0", "-1"}, {"ZRANGESTORE", "O", "K", "0", "-1"}, {"ZRANGEBYSCORE", "K", "-inf", "+inf"},
        {"ZRANGEBYLEX", "K", "-", "+"}, {"ZREMRANGEBYRANK", "K", "0", "0"}, {"ZPOPMIN", "K"}, {"ZPOPMAX", "K", "2"},
        {"ZMPOP", "1", "K", "MIN"}, {"ZUNION", "2", "K", "O"}, {"ZINTERSTORE", "O", "1", "K"}, {"ZDIFF", "1", "K"},
        {"ZINTERCARD", "1", "K"}, {"ZRANDMEMBER", "K", "0"}, {"ZSCAN", "K", "0"},
        // every type
        {"TYPE", "K"}, {"OBJECT", "ENCODING", "K"}, {"EXISTS", "K"}, {"COPY", "K", "O"}, {"RENAME", "K", "O"},
        {"DEBUG", "DIGEST-VALUE", "K"},
    };

    @Test
    void everyCommandAgainstEveryTypeMatchesRedis() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            int cases = 0;
            for (String[] template : COMMANDS) {
                for (String key : TYPED_KEYS) {
                    rebuild(o);
                    String[] cmd = Arrays.stream(template)
                        .map(a -> a.equals("K") ? key : a.equals("O") ? key + ":other" : a).toArray(String[]::new);
                    compare(o, cmd);
                    o.check("DEBUG", "DIGEST");
                    cases++;
                }
            }
            assertTrue(cases > 500, "cases " + cases);
        }
    }

    /** Replies whose order follows a hash table (Ferry's is not Redis's) compare as sorted; random picks by shape. */
    private static void compare(Oracle o, String[] cmd) throws Exception {
        String name = cmd[0];
        if (!Set.of("SMEMBERS", "SINTER", "SUNION", "SDIFF", "HKEYS", "HVALS", "HGETALL", "SSCAN", "HSCAN", "HRANDFIELD").contains(name)) {
            o.check(cmd);
            return;
        }
        String f = o.ferry().call(cmd), r = o.redis().call(cmd);
        String what = String.join(" ", cmd);
        if (r.startsWith("-") || !r.startsWith("*") && !r.startsWith("~") && !r.startsWith("%")) {
            if (name.equals("HRANDFIELD") && r.startsWith("$")) assertTrue(f.startsWith("$"), what + ": " + f);
            else assertEquals(r, f, what);
            return;
        }
        if (name.endsWith("SCAN")) {
            Resp.Parts rp = Resp.split(r), fp = Resp.split(f);
            assertEquals(rp.elements().get(0), fp.elements().get(0), what + " cursor");
            assertEquals(Resp.split(rp.elements().get(1)).sorted(), Resp.split(fp.elements().get(1)).sorted(), what);
            return;
        }
        assertEquals(Resp.split(r).sorted(), Resp.split(f).sorted(), what);
    }

    private static void rebuild(Oracle o) throws Exception {
        o.ferry().call("FLUSHALL");
        o.redis().call("FLUSHALL");
        String[][] setup = {
            {"SET", "wt:string", "hello"}, {"SET", "wt:string:other", "world"},
            {"RPUSH", "wt:list", "a", "b", "c"}, {"RPUSH", "wt:list:other", "a", "z"},
            {"HSET", "wt:hash", "f", "v", "n", "3"}, {"HSET", "wt:hash:other", "f", "w"},
            {"SADD", "wt:set", "a", "b", "c"}, {"SADD", "wt:set:other", "b", "z"},
            {"ZADD", "wt:zset", "1", "a", "2", "b"}, {"ZADD", "wt:zset:other", "2", "b", "3", "z"},
        };
        for (String[] c : setup) o.check(c);
    }
}
