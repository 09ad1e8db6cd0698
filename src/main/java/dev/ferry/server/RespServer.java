package dev.ferry.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.ferry.command.Commands;
import dev.ferry.archive.Archiver;
import dev.ferry.archive.Bootstrap;
import dev.ferry.archive.RestoreTarget;
import dev.ferry.archive.Restore;
import dev.ferry.config.FerryConfig;
import dev.ferry.engine.info.Info;
import dev.ferry.engine.Client;
import dev.ferry.engine.CommandTable;
import dev.ferry.engine.ServerContext;
import dev.ferry.engine.StartupPhases;
import dev.ferry.engine.config.ServerSettings;
import dev.ferry.engine.config.TlsSettings;
import dev.ferry.engine.tls.TlsCredentials;
import dev.ferry.replication.ReplicationManager;
import io.netty.channel.ChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Binds the RESP port at start-up. One verticle instance owns the NetServer, so every connection and
 * every command runs on that verticle's single event loop: the order commands execute in is the order
 * of the replication stream (ARCHITECTURE rule 1). Parsing happens on that loop as well; on the 2-core
 * machines we target this beats handing commands across threads.
 *
 * <p>That loop belongs to a Vert.x instance of its own with exactly one event loop. Quarkus deploys its
 * HTTP server (health, metrics) on every loop of its own Vert.x instance, so a RESP verticle deployed
 * there would share its loop with HTTP: a long command would stall the health probes, and a stuck loop
 * would hang Quarkus's shutdown on the HTTP server. Here HTTP cannot run on the executing loop by
 * construction, and this class alone decides how the RESP side stops.
 */
@ApplicationScoped
public class RespServer {
    private static final Logger LOG = Logger.getLogger(RespServer.class);
    /** The name of the executing event loop's thread (in blocked-thread warnings and thread dumps). */
    static final String LOOP_THREAD = "ferry-executing-loop";

    @Inject
    FerryConfig config;

    private Vertx vertx;
    private Shutdown shutdown;
    private ServerVerticle verticle;

    /**
     * The bytes one read of a connection takes (Redis's PROTO_IOBUF_LEN). Fixed, not adaptive: the limits
     * Redis checks between reads (no CR within 64 KB of a header or inline line) then see the same chunks
     * as in Redis, and the pooled buffer is released after each read, so no connection keeps it.
     */
    static final int READ_MAX = 16 * 1024;
    private static final RecvByteBufAllocator READS = new FixedRecvByteBufAllocator(READ_MAX).maxMessagesPerRead(1);
    /** Netty's defaults, written out: they bound what Netty holds per connection (see Connection). */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private volatile ServerContext context;
    /** A first start on an empty file archive: no bootstrap, no -LOADING window (read before the port opens). */
    private volatile boolean nothingToBootstrap;
    /** Restores of the dataset through the admin API. */
    private volatile Restore restore;
    /** The snapshot archive; null with ferry.archive.url=none. */
    private volatile Archiver archiver;
    private volatile int port = -1;
    private final LoopHeartbeat heartbeat = new LoopHeartbeat();
    private volatile Thread loopThread;

    void onStart(@Observes StartupEvent ev) throws Exception {
        FatalErrors.install();
        ArchiveSetup.check(config); // an invalid ferry.archive.* stops the start-up here, with its name
        nothingToBootstrap = ArchiveSetup.firstStartOnAnEmptyFileArchive(config);
        shutdown = new Shutdown(config.shutdownGrace().toMillis(), this::loopState);
        shutdown.handleSignals(this::finalSave);
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(false));
        vertx.exceptionHandler(t -> {
            FatalErrors.check(t, "the executing loop");
            LOG.error("Unhandled exception", t);
        });
        verticle = new ServerVerticle();
        try {
            vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(1))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            LOG.errorf("Could not listen on %s:%d for RESP: %s", config.bind(), config.port(), cause.getMessage());
            // a port in use is fatal: exit non-zero instead of running without the RESP port
            shutdown.request(1);
            Quarkus.asyncExit(1);
            throw new IllegalStateException("RESP port " + config.port() + " unavailable: " + cause.getMessage(), cause);
        }
        LOG.infof("Ferry ready to accept connections tcp on %s:%d (pid %d)", config.bind(), port, ProcessHandle.current().pid());
    }

    /**
     * Stops accepting, lets the executing loop finish the command it runs and close every client, then stops
     * the loop; a loop that does not come back by the shutdown deadline is left behind (the process ends
     * around it, which aborts its command). See {@link Shutdown} for the bound and the exit codes.
     */
    void onStop(@Observes ShutdownEvent ev) {
        if (vertx == null) return;
        shutdown.request(0);
        ServerContext ctx = context;
        port = -1; // readiness goes DOWN: no new clients are routed here
        if (verticle.server != null) {
            shutdown.phase("the RESP port to close");
            verticle.server.close();
        }
        if (verticle.tlsServer != null) verticle.tlsServer.close();
        boolean loopDone = true;
        if (ctx != null) {
            shutdown.phase("the executing loop to finish its command and close the clients");
            CompletableFuture<Void> closed = new CompletableFuture<>();
            ctx.executor().runOnContext(v -> {
                for (Client c : new ArrayList<>(ctx.clients().all())) c.channel().kill();
                closed.complete(null);
            });
            loopDone = await(closed);
        }
        if (loopDone) {
            shutdown.phase("the RESP event loop to stop");
            await(vertx.close().toCompletionStage().toCompletableFuture());
            LOG.info("Ferry is now ready to exit, bye bye...");
        } else {
            LOG.warnf("Exiting without the executing loop: %s", loopState());
            vertx.close();
        }
        Archiver a = archiver;
        if (a != null) a.close();
        shutdown.finished();
    }

    /**
     * The save at SIGTERM (on the signal thread): when save points are set and no load is under way, the
     * executing loop kills a running background save and saves in the foreground: true when saved, false when
     * the save failed (the process goes on, as Redis does), null when none ran. A loop that does not take the
     * save within half the grace (busy in a long command) is not waited for:
     * the stop goes on without the save, so that it stays bounded. A save that began is waited for.
     */
    private Boolean finalSave() {
        ServerContext ctx = context;
        if (ctx == null || ctx.settings().savePoints.length == 0) return null;
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        AtomicBoolean claimed = new AtomicBoolean();
        ctx.executor().runOnContext(v -> {
            if (!claimed.compareAndSet(false, true)) return;  // the stop went on without us
            try {
                if (ctx.persistence().loading()) {
                    LOG.warn("Received a stop while loading: exiting without saving");
                    done.complete(null);
                    return;
                }
                ctx.persistence().cancelBackgroundSave();
                LOG.warn("Saving the final RDB snapshot before exiting.");
                boolean ok = ctx.persistence().saveNow().ok();
                if (!ok) LOG.warn("Error trying to save the DB, can't exit.");
                done.complete(ok);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            try {
                return done.get(shutdown.saveClaimMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (claimed.compareAndSet(false, true)) {
                    LOG.warnf("The executing loop stayed busy for %d ms: exiting without the final save",
                        shutdown.saveClaimMillis());
                    return null;
                }
                return done.get();  // the save is under way: it takes what it takes
            }
        } catch (Exception e) {
            LOG.errorf("The final save failed: %s", e.toString());
            return false;
        }
    }

    /** Waits for f until the shutdown's loop deadline; false when it did not complete by then. */
    private boolean await(CompletableFuture<?> f) {
        try {
            f.get(Math.max(0, shutdown.loopDeadlineNanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            LOG.warn("RESP server did not stop cleanly", e.getCause());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Where the executing loop is, for the logs of a stop that has to leave it behind. */
    private String loopState() {
        Thread loop = loopThread;
        if (loop == null) return "the executing loop never started";
        if (!loop.isAlive()) return "the executing loop's thread is dead";
        StringBuilder sb = new StringBuilder("the executing loop has not turned for ")
            .append(heartbeat.silentMillis()).append(" ms, at:");
        StackTraceElement[] stack = loop.getStackTrace();
        for (int i = 0; i < Math.min(8, stack.length); i++) sb.append("\n\tat ").append(stack[i]);
        return sb.toString();
    }

    /** The bound RESP port (the real one when ferry.port=0). */
    public int port() {
        return port;
    }

    /** Restores of the dataset (the admin API); null before the start. */
    public Restore restore() {
        return restore;
    }

    /** The snapshot archive, or null when there is none. */
    public Archiver archiver() {
        return archiver;
    }

    public ServerContext context() {
        return context;
    }

    /** How recently the executing loop turned (the liveness probe reads it). */
    public LoopHeartbeat heartbeat() {
        return heartbeat;
    }

    /** The executing loop's thread, once started. */
    public Thread loopThread() {
        return loopThread;
    }

    private final class ServerVerticle extends AbstractVerticle {
        private NetServer server;
        /** The TLS port's server, or null. */
        private NetServer tlsServer;

        @Override
        public void start(Promise<Void> started) {
            Thread.currentThread().setName(LOOP_THREAD);
            loopThread = Thread.currentThread();
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
            ctx.replicationLinks(new ReplicationManager(ctx));
            ctx.onShutdown(() -> {
                shutdown.request(0);
                Quarkus.asyncExit(0);
            });
            ProcessInfo.register(ctx);
            restore = new Restore(ctx, Path.of(config.dir()));
            archiver = ArchiveSetup.archiver(config, ctx);
            if (archiver != null) ctx.info().register(Info.Section.ARCHIVE, archiver);
            // held before the context is visible, so /q/health/started never sees a bound port and nothing held
            StartupPhases.Phase load = ctx.startupPhases().hold("load the snapshot");
            RespServer.this.context = ctx;
            heartbeat.beat();
            vertx.setPeriodic(LoopHeartbeat.PERIOD_MS, id -> heartbeat.beat());
            server = vertx.createNetServer(options);
            server.connectHandler(this::accept);
            server.exceptionHandler(e -> {
                FatalErrors.check(e, "the RESP acceptor");
                LOG.debugf("RESP server: %s", e.getMessage());
            });
            TlsSettings tls = ctx.settings().tls;
            Future<Void> credentials = !tls.enabled() ? Future.succeededFuture() : vertx.executeBlocking(() -> {
                try {
                    ctx.tls(TlsCredentials.load(vertx, tls));
                    return null;
                } catch (Exception e) {
                    throw new IllegalStateException("Failed to configure TLS: " + e.getMessage(), e);
                }
            }, false);
            credentials.compose(v -> server.listen()).compose(s -> listenTls(options.getHost(), ctx)).onSuccess(v -> {
                // renewed files reach the TLS port and a TLS replication link alike
                if (ctx.tls() != null) new TlsReloader(vertx, ctx.tls()).start();
                port = server.actualPort();
                ctx.settings().boundPort(port);
                new ServerCron(ctx).start();
                try {
                    Path snapshotFile = Path.of(config.dir(), config.dbfilename());
                    StartupLoader loader = new StartupLoader(ctx, snapshotFile, code -> {
                        shutdown.request(code);
                        Quarkus.asyncExit(code);
                    }, load::release);
                    Bootstrap bootstrap = null;
                    RestoreTarget restoreTo = ArchiveSetup.restoreTarget(config);
                    if (restoreTo != null) {
                        // a point-in-time restore: an empty dir, the archive only read, nothing archived
                        if (Files.exists(snapshotFile)) {
                            throw new IOException("ferry.archive.restore-to rebuilds the dataset in an empty ferry.dir, and " + snapshotFile
                                + " exists");
                        }
                        archiver.restoring(restoreTo);
                        bootstrap = new Bootstrap(ctx, archiver.store(), archiver.settings(), snapshotFile, loader::load, loader::startEmpty,
                            restoreTo);
                        archiver.bootstrap(bootstrap);
                    } else if (archiver != null) {
                        archiver.start();
                        if (nothingToBootstrap) {
                            LOG.infof("No local snapshot and no manifest in %s: a first start, with an empty dataset", archiver.store().describe());
                        } else {
                            bootstrap = new Bootstrap(ctx, archiver.store(), archiver.settings(), snapshotFile, loader::load, loader::startEmpty);
                            archiver.bootstrap(bootstrap);
                        }
                    }
                    loader.start(bootstrap);
                } catch (IOException e) {
                    started.fail(e);
                    return;
                }
                started.complete();
            }).onFailure(started::fail);
        }

        /** The TLS port, when tls-port is set: the same connections as the plain port's, behind a TLS handshake. */
        private Future<Void> listenTls(String host, ServerContext ctx) {
            TlsSettings tls = ctx.settings().tls;
            if (tls.port == 0) return Future.succeededFuture();
            tlsServer = vertx.createNetServer(ctx.tls().serverOptions(new NetServerOptions()
                .setHost(host)
                .setPort(tls.port)
                .setTcpNoDelay(true)
                .setReuseAddress(true)
                .setAcceptBacklog(511)));
            tlsServer.connectHandler(this::accept);
            tlsServer.exceptionHandler(e -> {
                FatalErrors.check(e, "the TLS acceptor");
                LOG.debugf("TLS port: %s", e.getMessage()); // a failed handshake: the client's problem, as in Redis's log level
            });
            return tlsServer.listen().map(s -> {
                LOG.infof("Ferry ready to accept connections tls on %s:%d (auth-clients %s)", host, s.actualPort(), tls.authClients);
                return null;
            });
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
            if (ProtectedMode.denies(ctx.settings(), raw.channelHandlerContext().channel().remoteAddress())) {
                ctx.stats().rejectedConnections++;
                raw.write(ProtectedMode.DENIED);
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
            raw.exceptionHandler(e -> {
                // a read that failed for want of memory surfaces here (Netty hands it to the pipeline)
                FatalErrors.check(e, "client " + conn.client().id());
                LOG.debugf("client %d: %s", conn.client().id(), e.getMessage());
            });
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
            if (tlsServer != null) tlsServer.close();
            if (server != null) server.close();
        }
    }
}
