package dev.ferry.command;

import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What sorted-set commands send to replicas, compared with a real redis-server 7.0's replication stream
 * (StringPropagationTest's tap; keys "sp:z*"): ZPOPMIN/ZPOPMAX as themselves, ZMPOP as ZPOPMIN/ZPOPMAX key
 * and the count it popped, ZADD INCR and ZINCRBY as themselves, *STORE as themselves (an empty result deleting the
 * destination too), ZREMRANGEBY* that empty a key as themselves, and nothing for commands that changed nothing.
 */
@QuarkusTest
class ZSetPropagationTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    static final String[][] SCRIPT = {
        {"ZADD", "sp:za", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"},
        {"ZADD", "sp:za", "NX", "1", "a"},
        {"ZADD", "sp:za", "1", "a"},
        {"ZADD", "sp:za", "XX", "CH", "10", "a"},
        {"ZADD", "sp:za", "INCR", "2.5", "b"},
        {"ZADD", "sp:za", "INCR", "GT", "-1", "b"},
        {"ZINCRBY", "sp:za", "0.1", "c"},
        {"ZINCRBY", "sp:za", "inf", "z"},
        {"ZINCRBY", "sp:za", "-inf", "z"},
        {"ZREM", "sp:za", "nobody"},
        {"ZREM", "sp:za", "z", "nobody"},
        {"ZPOPMIN", "sp:za"},
        {"ZPOPMAX", "sp:za", "2"},
        {"ZPOPMIN", "sp:za", "0"},
        {"ZPOPMIN", "sp:znone"},
        {"ZADD", "sp:zb", "1", "x", "2", "y", "3", "z"},
        {"ZMPOP", "2", "sp:znone", "sp:zb", "MIN"},
        {"ZMPOP", "1", "sp:zb", "MAX", "COUNT", "5"},
        {"ZMPOP", "1", "sp:zb", "MAX", "COUNT", "5"},
        {"ZADD", "sp:zc", "1", "a", "2", "b", "3", "c"},
        {"ZADD", "sp:zd", "1", "b", "2", "c", "3", "d"},
        {"ZUNIONSTORE", "sp:zdst", "2", "sp:zc", "sp:zd", "WEIGHTS", "1", "2"},
        {"ZINTERSTORE", "sp:zdst", "2", "sp:zc", "sp:zd"},
        {"ZDIFFSTORE", "sp:zdst", "2", "sp:zc", "sp:zd"},
        {"ZDIFFSTORE", "sp:zdst", "1", "sp:znone"},
        {"ZDIFFSTORE", "sp:zdst", "1", "sp:znone"},
        {"ZRANGESTORE", "sp:zdst", "sp:zc", "0", "1"},
        {"ZRANGESTORE", "sp:zdst", "sp:zc", "(10", "inf", "BYSCORE"},
        {"ZRANGESTORE", "sp:zdst", "sp:zc", "(10", "inf", "BYSCORE"},
        {"ZREMRANGEBYSCORE", "sp:zc", "5", "10"},
        {"ZREMRANGEBYSCORE", "sp:zc", "1", "1"},
        {"ZREMRANGEBYRANK", "sp:zc", "0", "-1"},
        {"ZADD", "sp:zl", "0", "a", "0", "b"},
        {"ZREMRANGEBYLEX", "sp:zl", "-", "+"},
        {"ZREMRANGEBYLEX", "sp:zl", "-", "+"},
        {"ZRANGE", "sp:zd", "0", "-1"},
        {"ZRANDMEMBER", "sp:zd", "2"},
    };

    @Test
    void streamsMatchRedis() throws Exception {
        List<List<String>> fromRedis;
        try (StringPropagationTest.RedisTap tap = new StringPropagationTest.RedisTap(redis.port());
             RawClient client = new RawClient(redis.port())) {
            for (String[] cmd : SCRIPT) client.call(cmd);
            client.call("SET", "sp:zend", "1");
            fromRedis = tap.until("sp:zend");
        }

        List<List<String>> fromFerry;
        try (RawClient client = new RawClient(FerryPort.get())) {
            // Ferry's keyspace is shared by the test classes: clean up first, outside the captured stream
            client.call("DEL", "sp:za", "sp:zb", "sp:zc", "sp:zd", "sp:zdst", "sp:zl", "sp:znone");
            try (FerryStreamCapture capture = new FerryStreamCapture()) {
                for (String[] cmd : SCRIPT) client.call(cmd);
                client.call("SET", "sp:zend", "1");
                fromFerry = capture.until("sp:zend");
            }
        }
        assertEquals(fromRedis, fromFerry);
        assertTrue(fromFerry.contains(List.of("ZPOPMIN", "sp:zb", "1")), fromFerry::toString);
        assertTrue(fromFerry.contains(List.of("ZPOPMAX", "sp:zb", "2")), fromFerry::toString);
        assertTrue(fromFerry.contains(List.of("ZREMRANGEBYLEX", "sp:zl", "-", "+")), fromFerry::toString);
    }
}
