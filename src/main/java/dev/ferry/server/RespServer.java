package dev.ferry.server;

import dev.ferry.command.Commands;
import dev.ferry.engine.CommandTable;
import dev.ferry.engine.ServerContext;
import dev.ferry.engine.config.ServerSettings;
import dev.ferry.config.FerryConfig;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Binds the RESP port at start-up. One verticle instance owns the NetServer, so every connection and
 * every command runs on that verticle's single event loop: the order commands execute in is the order
 * of the replication stream (ARCHITECTURE rule 1). Parsing happens on that loop as well; on the 2-core
 * machines we target this beats handing commands across threads.
 */
@ApplicationScoped
public class RespServer {
    private static final Logger LOG = Logger.getLogger(RespServer.class);

    @Inject
    Vertx vertx;
    @Inject
    FerryConfig config;

    /** The most bytes one read of a connection takes (Redis's PROTO_IOBUF_LEN). */
    static final int READ_MAX = 16 * 1024;
    private static final RecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(64, 2048, READ_MAX).maxMessagesPerRead(1);
    /** Netty's defaults, written out: they bound what Netty holds per connection (see Connection). */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private volatile ServerContext context;
    private volatile int port = -1;
    private String deploymentId;

    void onStart(@Observes StartupEvent ev) throws Exception {
        ServerVerticle verticle = new ServerVerticle();
        try {
            deploymentId = vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(1))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            LOG.errorf("Could not listen on %s:%d for RESP: %s", config.bind(), config.port(), cause.getMessage());
            // a port in use is fatal: exit non-zero instead of running without the RESP port
            Quarkus.asyncExit(1);
            throw new IllegalStateException("RESP port " + config.port() + " unavailable: " + cause.getMessage(), cause);
        }
        LOG.infof("Ferry ready to accept connections tcp on %s:%d (pid %d)", config.bind(), port, ProcessHandle.current().pid());
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (deploymentId != null) {
            try {
                vertx.undeploy(deploymentId).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("RESP server did not stop cleanly", e);
            }
        }
    }

    /** The bound RESP port (the real one when ferry.port=0). */
    public int port() {
        return port;
    }

    public ServerContext context() {
        return context;
    }

    private final class ServerVerticle extends AbstractVerticle {
        private NetServer server;

        @Override
        public void start(Promise<Void> started) {
            NetServerOptions options = new NetServerOptions()
                .setHost(config.bind())
                .setPort(config.port())
                .setTcpNoDelay(true)
                .setReuseAddress(true)
                .setAcceptBacklog(511);
            // everything a connection needs exists before the port opens: a client that connects the
            // instant it does must be served, not dropped
            CommandTable table = Commands.table();
            ServerContext ctx = new ServerContext(vertx, new ServerSettings(config, config.port()), table);
            ctx.executor(context);
            ctx.onShutdown(() -> Quarkus.asyncExit(0));
            RespServer.this.context = ctx;
            server = vertx.createNetServer(options);
            server.connectHandler(this::accept);
            server.listen().onSuccess(s -> {
                port = s.actualPort();
                ctx.settings().boundPort(port);
                new ServerCron(ctx).start();
                started.complete();
            }).onFailure(started::fail);
        }

        private void accept(NetSocket socket) {
            ServerContext ctx = RespServer.this.context; // set in start(), before the port opened
            ctx.stats().connectionsReceived++;
            NetSocketInternal raw = (NetSocketInternal) socket;
            if (ctx.clients().size() >= ctx.settings().maxclients) {
                ctx.stats().rejectedConnections++;
                raw.write("-ERR max number of clients reached\r\n");
                raw.close();
                return;
            }
            configure(raw.channelHandlerContext().channel().config());
            Connection conn = new Connection(ctx.clients().nextId(), raw, ctx);
            ctx.clients().add(conn.client());
            raw.messageHandler(conn::onMessage);
            raw.closeHandler(v -> {
                conn.onClosed();
                ctx.clients().remove(conn.client());
            });
            raw.exceptionHandler(e -> LOG.debugf("client %d: %s", conn.client().id(), e.getMessage()));
        }

        /**
         * Fairness and bounded off-heap memory per connection: one read of at most {@link #READ_MAX} bytes
         * per turn of the loop (Redis reads at most 16 KB per client per turn, PROTO_IOBUF_LEN), and Netty
         * holds at most about the high water mark of replies before the connection's own queue takes them.
         */
        private void configure(ChannelConfig config) {
            config.setRecvByteBufAllocator(READS);
            config.setWriteBufferWaterMark(WATER_MARK);
        }

        @Override
        public void stop() {
            if (server != null) server.close();
        }
    }
}
