package dev.ferry.server;

import dev.ferry.support.FerryPort;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.sync.RedisPubSubCommands;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisProtocol;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PUB/SUB through real client libraries: Jedis (RESP2 and RESP3) and Lettuce (RESP3 push messages). */
@QuarkusTest
class PubSubClientsTest {

    @Test
    void jedisSubscribesAndReceives() throws Exception {
        for (RedisProtocol proto : new RedisProtocol[] {RedisProtocol.RESP2, RedisProtocol.RESP3}) {
            String pre = "pcj" + proto.version() + ":";
            List<String> got = new CopyOnWriteArrayList<>();
            CountDownLatch subscribed = new CountDownLatch(2);
            CountDownLatch done = new CountDownLatch(1);
            JedisPubSub listener = new JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int count) {
                    subscribed.countDown();
                    psubscribe(pre + "p*"); // from inside the subscription loop
                }

                @Override
                public void onPSubscribe(String pattern, int count) {
                    got.add("psubscribe " + pattern + " " + count);
                    subscribed.countDown();
                }

                @Override
                public void onMessage(String channel, String message) {
                    got.add("message " + channel + " " + message);
                    if (message.equals("bye")) {
                        unsubscribe();
                        punsubscribe();
                    }
                }

                @Override
                public void onPMessage(String pattern, String channel, String message) {
                    got.add("pmessage " + pattern + " " + channel + " " + message);
                }

                @Override
                public void onPUnsubscribe(String pattern, int count) {
                    if (count == 0) done.countDown();
                }
            };
            DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().protocol(proto).build();
            Thread t = new Thread(() -> {
                try (Jedis sub = new Jedis("127.0.0.1", FerryPort.get(), config)) {
                    sub.subscribe(listener, pre + "news");
                }
            });
            t.start();
            assertTrue(subscribed.await(10, TimeUnit.SECONDS), "subscribed");
            try (Jedis pub = new Jedis("127.0.0.1", FerryPort.get(), config)) {
                assertEquals(Map.of(pre + "news", 1L), pub.pubsubNumSub(pre + "news"));
                assertEquals(List.of(pre + "news"), pub.pubsubChannels(pre + "*"));
                assertEquals(1L, pub.publish(pre + "news", "hello"));
                assertEquals(1L, pub.publish(pre + "pets", "cat"));
                assertEquals(0L, pub.publish(pre + "other", "x"));
                assertEquals(1L, pub.publish(pre + "news", "bye"));
            }
            assertTrue(done.await(10, TimeUnit.SECONDS), "unsubscribed");
            t.join(10_000);
            assertTrue(!t.isAlive(), "subscribe() returned");
            assertEquals(List.of("psubscribe " + pre + "p* 2", "message " + pre + "news hello",
                "pmessage " + pre + "p* " + pre + "pets cat", "message " + pre + "news bye"), got);
        }
    }

    @Test
    void lettuceReceivesPushMessages() throws Exception {
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(FerryPort.get()).build());
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
             var pub = client.connect()) {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    got.add("message " + channel + " " + message);
                }

                @Override
                public void message(String pattern, String channel, String message) {
                    got.add("pmessage " + pattern + " " + channel + " " + message);
                }
            });
            RedisPubSubCommands<String, String> s = sub.sync();
            s.subscribe("pcl:a", "pcl:b");
            s.psubscribe("pcl:*");
            // RESP3: other commands run on the subscribed connection
            assertEquals("PONG", s.ping());
            assertEquals(Map.of("pcl:a", 1L, "pcl:b", 1L), pub.sync().pubsubNumsub("pcl:a", "pcl:b"));
            assertEquals(2L, pub.sync().publish("pcl:a", "one"));
            assertEquals(1L, pub.sync().publish("pcl:zzz", "two"));
            for (String expected : List.of("message pcl:a one", "pmessage pcl:* pcl:a one", "pmessage pcl:* pcl:zzz two")) {
                assertEquals(expected, got.poll(10, TimeUnit.SECONDS));
            }
            s.unsubscribe("pcl:a", "pcl:b");
            s.punsubscribe("pcl:*");
            assertEquals(0L, pub.sync().publish("pcl:a", "gone"));
        } finally {
            client.shutdown();
        }
    }
}
