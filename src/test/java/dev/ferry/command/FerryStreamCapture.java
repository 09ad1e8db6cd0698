package dev.ferry.command;

import dev.ferry.engine.ReplicationStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static dev.ferry.command.StringOracleTest.onFerry;

/**
 * Ferry's replication stream from creation to close, as a replica would receive it: the propagation tests
 * compare what it holds on "sp:" keys with what {@link StringPropagationTest.RedisTap} reads from a real
 * redis-server replica link. Effects are delivered while their command runs, so after a client's reply the
 * capture already holds them.
 */
final class FerryStreamCapture implements AutoCloseable {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final ReplicationStream.Consumer consumer = (resp, offset) -> {
        synchronized (captured) {
            captured.writeBytes(resp);
        }
    };

    FerryStreamCapture() throws Exception {
        onFerry(ctx -> {
            ctx.replication().addConsumer(consumer);
            return null;
        });
    }

    /** The commands on "sp:" keys captured so far, up to (not including) the one on {@code endKey}. */
    List<List<String>> until(String endKey) throws IOException {
        byte[] bytes;
        synchronized (captured) {
            bytes = captured.toByteArray();
        }
        List<List<String>> out = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(bytes);
        List<String> cmd;
        while ((cmd = StringPropagationTest.readCommand(in)) != null) {
            if (!StringPropagationTest.onTestKeys(cmd)) continue;
            if (cmd.get(1).equals(endKey)) break;
            out.add(cmd);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        onFerry(ctx -> {
            ctx.replication().removeConsumer(consumer);
            return null;
        });
    }
}
