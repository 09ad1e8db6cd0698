package dev.ferry.server;

import dev.ferry.support.FerryPort;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up and everyday calls of Lettuce (RESP3 via HELLO 3) and Jedis in RESP3 mode. Database 9. */
@QuarkusTest
class ClientLibrariesTest {

    @Test
    void lettuceHandshakesWithHello3AndWorks() {
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(FerryPort.get())
            .withDatabase(9).withClientName("lettuce-test").build());
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> r = conn.sync();
            assertEquals("PONG", r.ping());
            assertEquals("OK", r.set("lib:a", "1", SetArgs.Builder.px(60_000)));
            assertEquals(2L, r.incr("lib:a"));
            assertTrue(r.pttl("lib:a") > 0);
            assertEquals("lettuce-test", r.clientGetname());
            r.mset(Map.of("lib:b", "x", "lib:c", "y"));
            assertEquals(List.of("x", "y"), r.mget("lib:b", "lib:c").stream().map(kv -> kv.getValue()).toList());
            r.multi();
            r.set("lib:d", "v");
            r.get("lib:d");
            TransactionResult tx = r.exec();
            assertEquals(List.of("OK", "v"), List.of(tx.get(0), tx.get(1)));
            assertTrue(r.info("server").contains("redis_version:"));
            assertEquals(4L, r.del("lib:a", "lib:b", "lib:c", "lib:d"));
        } finally {
            client.shutdown();
        }
    }

    @Test
    void jedisInResp3() {
        try (Jedis j = new Jedis("127.0.0.1", FerryPort.get(),
            DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3).database(9).build())) {
            assertEquals("OK", j.set("lib3:k", "v"));
            assertEquals("v", j.get("lib3:k"));
            assertEquals(null, j.get("lib3:none"));
            assertEquals(1L, j.del("lib3:k"));
            assertTrue(j.configGet("maxmemory").containsKey("maxmemory"));
        }
    }
}
