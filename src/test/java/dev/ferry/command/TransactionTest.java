package dev.ferry.command;

import dev.ferry.engine.*;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RawClient;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** MULTI / EXEC / DISCARD / WATCH, byte for byte against redis-server. */
@QuarkusTest
class TransactionTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    @Test
    void execRunsTheQueueInOrder() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("DEL", "tx:a");
            o.check("EXEC");
            o.check("DISCARD");
            o.check("MULTI");
            o.check("MULTI");
            o.check("SET", "tx:a", "1");
            o.check("INCR", "tx:a");
            o.check("WATCH", "tx:a");
            o.check("GET", "tx:a");
            o.check("SET", "tx:a");          // arity error is reported now and does not abort (7.0: it does)
            o.check("EXEC");
            o.check("GET", "tx:a");
        }
    }

    @Test
    void errorsWhileQueuingAbortExec() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("MULTI");
            o.check("SET", "tx:b", "1");
            o.check("NOSUCHCMD", "x");
            o.check("EXEC");
            o.check("GET", "tx:b");
            o.check("MULTI");
            o.check("SET", "tx:b", "2");
            o.check("DISCARD");
            o.check("GET", "tx:b");
            o.check("MULTI");
            o.check("SET", "tx:b", "x");
            o.check("INCR", "tx:b");          // runtime error inside the EXEC array
            o.check("EXEC");
        }
    }

    @Test
    void watchedKeyChangedByAnotherClientAbortsExec() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port());
             RawClient otherFerry = new RawClient(FerryPort.get());
             RawClient otherRedis = new RawClient(redis.port())) {
            o.check("SET", "tx:w", "1");
            o.check("WATCH", "tx:w");
            assertEquals(otherRedis.call("SET", "tx:w", "2"), otherFerry.call("SET", "tx:w", "2"));
            o.check("MULTI");
            o.check("SET", "tx:w", "3");
            o.check("EXEC");
            o.check("GET", "tx:w");
            // without a change EXEC goes through; UNWATCH forgets the keys
            o.check("WATCH", "tx:w");
            o.check("UNWATCH");
            assertEquals(otherRedis.call("SET", "tx:w", "4"), otherFerry.call("SET", "tx:w", "4"));
            o.check("MULTI");
            o.check("GET", "tx:w");
            o.check("EXEC");
        }
    }

    @Test
    void watchedKeyThatExpiresAbortsExec() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("SET", "tx:e", "1", "PX", "30");
            o.check("WATCH", "tx:e");
            Thread.sleep(60);
            o.check("MULTI");
            o.check("PING");
            o.check("EXEC");
        }
    }
}
