package dev.ferry.server;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The replies of the connection family, byte for byte against a real redis-server. */
@QuarkusTest
class OracleSmokeTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer();

    @Test
    void connectionCommands() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            o.check("PING");
            o.check("ping", "hello");
            o.check("PING", "a", "b");
            o.check("ECHO", "x y");
            o.check("ECHO");
            o.check("SELECT", "15");
            o.check("SELECT", "16");
            o.check("SELECT", "-1");
            o.check("SELECT", "abc");
            o.check("SELECT", "0");
            o.check("NOSUCHCOMMAND", "a", "b");
            o.check("nosuch");
            o.check("AUTH", "pw");
            o.check("AUTH", "a", "b", "c");
            o.check("HELLO", "4");
            o.check("HELLO", "x");
            o.check("SET", "oracle:smoke", "v");
            o.check("GET", "oracle:smoke");
            o.check("GET", "oracle:missing");
            o.check("GET");
            o.check("SET", "oracle:smoke");
        }
    }
}
