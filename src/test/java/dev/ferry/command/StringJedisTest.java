package dev.ferry.command;

import dev.ferry.engine.*;

import dev.ferry.support.FerryPort;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.LCSParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.LCSMatchResult;

import java.util.Arrays;
import java.util.List;

import static dev.ferry.command.StringOracleTest.ferryExpireAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The string calls applications make through Jedis, end to end against Ferry. */
@QuarkusTest
class StringJedisTest {

    @Test
    void commonCalls() throws Exception {
        try (Jedis j = new Jedis("127.0.0.1", FerryPort.get())) {
            assertEquals("OK", j.set("sj:k", "v"));
            assertEquals("v", j.get("sj:k"));
            assertNull(j.get("sj:missing"));
            assertNull(j.set("sj:k", "w", SetParams.setParams().nx()));
            assertEquals("OK", j.set("sj:k", "w", SetParams.setParams().xx().ex(100)));
            assertTrue(ferryExpireAt("sj:k") > System.currentTimeMillis() + 90_000);
            assertEquals("w", j.setGet("sj:k", "x"));
            assertEquals(-1, ferryExpireAt("sj:k"));
            assertEquals(1, j.setnx("sj:nx", "1"));
            assertEquals(0, j.setnx("sj:nx", "2"));
            assertEquals("OK", j.setex("sj:ex", 100, "v"));
            assertEquals("OK", j.psetex("sj:px", 100_000, "v"));
            assertEquals("OK", j.mset("sj:m1", "a", "sj:m2", "b"));
            assertEquals(Arrays.asList("a", "b", null), j.mget("sj:m1", "sj:m2", "sj:m3"));
            assertEquals(0, j.msetnx("sj:m1", "a", "sj:m3", "c"));
            assertEquals(1, j.msetnx("sj:m3", "c", "sj:m4", "d"));
            assertEquals("c", j.getSet("sj:m3", "cc"));
            assertEquals("cc", j.getDel("sj:m3"));
            assertNull(j.getDel("sj:m3"));
            assertEquals("x", j.getEx("sj:k", GetExParams.getExParams().ex(50)));
            assertTrue(ferryExpireAt("sj:k") > 0);
            assertEquals("x", j.getEx("sj:k", GetExParams.getExParams().persist()));
            assertEquals(-1, ferryExpireAt("sj:k"));
            assertEquals(6, j.append("sj:k", "yzabc"));
            assertEquals(6, j.strlen("sj:k"));
            assertEquals("yza", j.getrange("sj:k", 1, 3));
            assertEquals("abc", j.substr("sj:k", -3, -1));
            assertEquals(8, j.setrange("sj:k", 6, "!!"));
            assertEquals("xyzabc!!", j.get("sj:k"));
            assertEquals(1, j.incr("sj:n"));
            assertEquals(11, j.incrBy("sj:n", 10));
            assertEquals(10, j.decr("sj:n"));
            assertEquals(0, j.decrBy("sj:n", 10));
            assertEquals(2.5, j.incrByFloat("sj:n", 2.5));
            assertEquals("2.5", j.get("sj:n"));
            JedisDataException e = assertThrows(JedisDataException.class, () -> j.incr("sj:n"));
            assertEquals("ERR value is not an integer or out of range", e.getMessage());
            assertArrayEquals("xyzabc!!".getBytes(), j.get("sj:k".getBytes()));

            j.mset("sj:key1", "ohmytext", "sj:key2", "mynewtext");
            assertEquals("mytext", j.lcs("sj:key1", "sj:key2", LCSParams.LCSParams()).getMatchString());
            assertEquals(6, j.lcs("sj:key1", "sj:key2", LCSParams.LCSParams().len()).getLen());
            LCSMatchResult idx = j.lcs("sj:key1", "sj:key2", LCSParams.LCSParams().idx().minMatchLen(4).withMatchLen());
            assertEquals(6, idx.getLen());
            List<LCSMatchResult.MatchedPosition> m = idx.getMatches();
            assertEquals(1, m.size());
            assertEquals(4, m.get(0).getA().getStart());
            assertEquals(7, m.get(0).getA().getEnd());
            assertEquals(5, m.get(0).getB().getStart());
            assertEquals(8, m.get(0).getB().getEnd());
            assertEquals(4, m.get(0).getMatchLen());
        }
    }
}
