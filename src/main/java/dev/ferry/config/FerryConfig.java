package dev.ferry.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Optional;

/**
 * Every Ferry setting, read once at start-up. Names follow redis.conf where Redis has the setting;
 * each is also settable by environment (ferry.maxclients -> FERRY_MAXCLIENTS). Settings that CONFIG SET
 * may change at run time are copied into {@link dev.ferry.engine.config.ServerSettings}.
 */
@ConfigMapping(prefix = "ferry")
public interface FerryConfig {

    /** RESP port; 0 picks a free port (tests). */
    @WithDefault("6379")
    int port();

    /** Address the RESP port binds to. */
    @WithDefault("127.0.0.1")
    String bind();

    @WithDefault("10000")
    int maxclients();

    /** Close a client after this many idle seconds; 0 = never. */
    @WithDefault("0")
    int timeout();

    @WithDefault("16")
    int databases();

    /** When set, clients must AUTH before any other command. */
    Optional<String> requirepass();

    /**
     * Redis's protected mode: while on and no requirepass is set, clients from any address but 127.0.0.1 and ::1 get
     * Redis's DENIED error and are disconnected. On by default, as in Redis; CONFIG SET changes it live.
     */
    @WithName("protected-mode")
    @WithDefault("yes")
    boolean protectedMode();

    /**
     * A second RESP port that speaks TLS (redis: tls-port), beside ferry.port; 0 (the default) = none. Unlike
     * ferry.port, 0 does not mean "any free port": it means off, as in Redis.
     */
    @WithName("tls-port")
    @WithDefault("0")
    int tlsPort();

    /** The server's certificate chain (PEM), also the client certificate of a TLS replication link. */
    @WithName("tls-cert-file")
    Optional<String> tlsCertFile();

    /** The private key of tls-cert-file (PEM, PKCS#8 or PKCS#1, unencrypted). */
    @WithName("tls-key-file")
    Optional<String> tlsKeyFile();

    /** The CA certificates (PEM) that client certificates and a TLS master's certificate are checked against. */
    @WithName("tls-ca-cert-file")
    Optional<String> tlsCaCertFile();

    /** Whether TLS clients must present a certificate: yes (the default, as Redis), optional, no. */
    @WithName("tls-auth-clients")
    @WithDefault("yes")
    String tlsAuthClients();

    /** A replica's link to its master speaks TLS (redis: tls-replication). */
    @WithName("tls-replication")
    @WithDefault("no")
    boolean tlsReplication();

    /**
     * How often the certificate, key and CA files are checked for new contents, which the TLS port then serves to
     * new connections without a restart (a Kubernetes Secret mount is updated in place). Ferry's own; 0 = never.
     */
    @WithName("tls-reload-interval")
    @WithDefault("10s")
    Duration tlsReloadInterval();

    /** Largest single bulk string a client may send (redis: proto-max-bulk-len). */
    @WithName("proto-max-bulk-len")
    @WithDefault("536870912")
    long protoMaxBulkLen();

    /** Largest pending request of one client before it is disconnected (redis: client-query-buffer-limit). */
    @WithName("client-query-buffer-limit")
    @WithDefault("1073741824")
    long clientQueryBufferLimit();

    /** Background task frequency: active expiry, idle-client checks, incremental rehash (redis: hz). */
    @WithDefault("10")
    int hz();

    /**
     * Who may run DEBUG (redis: enable-debug-command): "no" (the default, as Redis 7.0), "local" (connections
     * from 127.0.0.1 or ::1) or "yes". Fixed at start-up, like Redis.
     */
    @WithName("enable-debug-command")
    @WithDefault("no")
    String enableDebugCommand();

    /**
     * /q/health/live is DOWN while the executing event loop has not run its heartbeat (every 100 ms) for
     * longer than this: a frozen or dead loop gets the pod restarted. Redis's own "busy" threshold
     * (busy-reply-threshold) is 5 s.
     */
    @WithName("liveness-timeout")
    @WithDefault("5s")
    Duration livenessTimeout();

    /**
     * The bearer token the admin API's changing endpoints (PUT /api/v1/replication/master) require; unset, they are
     * refused (403), never open. Never logged, nor shown by INFO, CONFIG GET or the metrics.
     */
    @WithName("admin-token")
    Optional<String> adminToken();

    /** What /q/health/ready requires beyond the bound port and a loaded dataset. */
    Health health();

    interface Health {
        /**
         * A replica is ready while its master was heard from (a byte of the stream, or the ping a master sends every
         * repl-ping-replica-period, 10 s by default) within this long. 30s, not less: an idle master is silent for
         * up to 10 s between two pings, and a bound under that would make readiness flap.
         */
        @WithName("max-lag")
        @WithDefault("30s")
        Duration maxLag();
    }

    /**
     * How long a stop (SIGTERM, SHUTDOWN) may take before a watchdog halts the process: the executing loop
     * gets until half a second before it to finish its command and close the clients, and is then left
     * behind. Not Redis's shutdown-timeout, which is how long Redis waits for lagging replicas.
     */
    @WithName("shutdown-grace")
    @WithDefault("3s")
    Duration shutdownGrace();

    /**
     * Redis's save points, "seconds changes" pairs: a BGSAVE starts when at least that many changes are that
     * many seconds old. {@code ""} (two double quotes, as Redis's --save "") turns automatic saving off, and
     * with it the save at SIGTERM.
     */
    @WithDefault("3600 1 300 100 60 10000")
    String save();

    /** rdbcompression: LZF-compress strings over 20 bytes in snapshots and DUMP payloads. */
    @WithDefault("true")
    boolean rdbcompression();

    /** rdbchecksum: write (and check when loading) the CRC64 trailer of snapshots. */
    @WithDefault("true")
    boolean rdbchecksum();

    /** stop-writes-on-bgsave-error: refuse writes with MISCONF while the last background save failed. */
    @WithName("stop-writes-on-bgsave-error")
    @WithDefault("true")
    boolean stopWritesOnBgsaveError();

    /**
     * Linux nice value (0..19) of a background save's writer thread, so that on a busy machine clients get the
     * CPU first and the save takes longer; 0 runs it at the executing loop's priority. Not a Redis setting.
     */
    @WithName("bgsave-nice")
    @WithDefault("10")
    int bgsaveNice();

    /**
     * For how long a background save's writer runs under Linux's SCHED_IDLE policy: it then gets only CPU time
     * that no other thread of the machine wants, and never preempts the executing loop. A save still running after
     * this continues on a thread at bgsave-nice (a thread cannot leave SCHED_IDLE without privilege), so a machine
     * whose CPU is saturated cannot hold a save back for longer. 0 turns it off. Not a Redis setting.
     */
    @WithName("bgsave-idle-limit")
    @WithDefault("30s")
    java.time.Duration bgsaveIdleLimit();

    /** Working directory for snapshots. */
    @WithDefault("data")
    String dir();

    @WithDefault("dump.rdb")
    String dbfilename();

    /**
     * repl-backlog-size (Redis's memory syntax): how much of the replication stream a replica can resume from.
     * 64mb, not Redis's 1mb: a replica that loads an archived snapshot resumes from the snapshot's offset, so the
     * backlog must hold the writes since then (see the README).
     */
    @WithName("repl-backlog-size")
    @WithDefault("64mb")
    String replBacklogSize();

    /**
     * repl-backlog-ttl: seconds without replicas after which the backlog is dropped and a new replication id
     * starts. 0 (never), not Redis's 3600: an archived snapshot's offset must stay resumable however long the
     * master ran without replicas.
     */
    @WithName("repl-backlog-ttl")
    @WithDefault("0")
    long replBacklogTtl();

    /** replicaof: "host port" of the master to follow from start-up (FERRY_REPLICAOF="10.0.0.5 6379"); unset = a master. */
    Optional<String> replicaof();

    /** masterauth: the password this replica gives its master (AUTH). */
    Optional<String> masterauth();

    /** masteruser: the ACL user this replica authenticates as (AUTH user password). */
    Optional<String> masteruser();

    @WithName("replica-read-only")
    @WithDefault("true")
    boolean replicaReadOnly();

    @WithName("replica-serve-stale-data")
    @WithDefault("true")
    boolean replicaServeStaleData();

    @WithName("replica-priority")
    @WithDefault("100")
    int replicaPriority();

    @WithName("replica-announce-ip")
    Optional<String> replicaAnnounceIp();

    @WithName("replica-announce-port")
    @WithDefault("0")
    int replicaAnnouncePort();

    /**
     * repl-diskless-sync: a full resync streams the snapshot straight to the replicas' sockets instead of writing
     * the snapshot file and sending it (replicas that cannot read such a stream, without capa eof, get the file).
     * Off by default, not Redis's yes: see the README for the measurements behind the choice.
     */
    @WithName("repl-diskless-sync")
    @WithDefault("false")
    boolean replDisklessSync();

    /** repl-diskless-sync-delay: seconds a diskless full resync waits for more replicas to share its snapshot. */
    @WithName("repl-diskless-sync-delay")
    @WithDefault("5")
    int replDisklessSyncDelay();

    /** repl-diskless-sync-max-replicas: a diskless full resync starts as soon as this many replicas wait (0: no). */
    @WithName("repl-diskless-sync-max-replicas")
    @WithDefault("0")
    int replDisklessSyncMaxReplicas();

    /**
     * min-replicas-to-write: writes are refused (NOREPLICAS) while fewer replicas than this acknowledged the stream
     * within min-replicas-max-lag seconds; 0 turns the check off.
     */
    @WithName("min-replicas-to-write")
    @WithDefault("0")
    int minReplicasToWrite();

    /** min-replicas-max-lag: seconds since its last acknowledgement within which a replica counts; 0 turns it off. */
    @WithName("min-replicas-max-lag")
    @WithDefault("10")
    int minReplicasMaxLag();

    /** Where snapshots are archived, and by whom (ferry.archive.*). */
    Archive archive();

    interface Archive {
        /**
         * The archive: {@code s3://bucket[/prefix]}, {@code file:///absolute/path}, or {@code none}; unset = a file
         * archive in the directory {@code archive} under ferry.dir, so that a laptop runs the whole flow. Parsed by
         * {@link dev.ferry.archive.ArchiveUrl}.
         */
        Optional<String> url();

        /** Which node uploads its snapshots: master, replica (spares the master entirely) or both. */
        @WithDefault("master")
        String role();

        /** A snapshot is taken and archived at least this often when there were writes, even without save rules; 0 = never. */
        @WithDefault("1h")
        Duration interval();

        /** How many archived snapshots the manifest keeps; older objects are deleted after the new manifest is written. */
        @WithDefault("7")
        int retain();

        /**
         * Besides the newest {@code retain}: the snapshots (and the stream after them) that a restore to any point of
         * the last this long needs (e.g. 7d); 0 = none, the count alone.
         */
        @WithDefault("0s")
        Duration retention();

        /**
         * A start on an empty disk whose archive cannot give it a snapshot: fail (stay loading and not ready, log why,
         * retry) or empty (start with no data, warned).
         */
        @WithName("bootstrap-failure")
        @WithDefault("fail")
        String bootstrapFailure();

        /** How an {@code s3://} archive is reached; read by {@link dev.ferry.archive.S3Settings}. */
        S3 s3();

        /**
         * Start on an empty ferry.dir with the dataset as of this point, rebuilt from the archive (the newest snapshot
         * before it, and the archived stream up to it): {@code <replid>:<offset>} or an ISO-8601 time. The server
         * then serves it as a master and archives nothing. Unset = a normal start.
         */
        @WithName("restore-to")
        Optional<String> restoreTo();

        /** ferry.archive.stream.*: the replication stream archived in segments between snapshots. */
        Stream stream();

        interface Stream {
            /** A segment of the stream written since the last one is archived this often; 0 = no stream archive. */
            @WithDefault("1s")
            Duration interval();

            /** A segment holds at most this much of the stream (Redis's memory syntax). */
            @WithName("max-bytes")
            @WithDefault("16mb")
            String maxBytes();

            /**
             * The most stream held in memory while the archive is down or slow (Redis's memory syntax); past it the
             * archive has a gap, logged and shown in INFO, and its chain starts again.
             */
            @WithName("spool-limit")
            @WithDefault("256mb")
            String spoolLimit();

            /**
             * Writes are refused (-NOARCHIVE) while the stream archive is further behind than this, as
             * min-replicas-max-lag does for replicas; 0 = never. At least twice the interval.
             */
            @WithName("min-archived-lag")
            @WithDefault("0s")
            Duration minArchivedLag();
        }

        /**
         * ferry.archive.s3.*: everything is optional and AWS S3 needs none of it (region and credentials come from the
         * SDK's default chains: environment, profile, web identity, container, instance metadata). An S3-compatible
         * server (MinIO, s3proxy) needs the endpoint, and the defaults below then change to what such servers accept.
         */
        interface S3 {
            /** The server's URL, http(s)://host[:port], instead of AWS's; unset = AWS S3. */
            Optional<String> endpoint();

            /** The region to sign for; unset = the SDK's region chain, or us-east-1 with an endpoint and no region anywhere. */
            Optional<String> region();

            /** true: http://endpoint/bucket/key; false: http://bucket.endpoint/key. Unset = true with an endpoint, else false. */
            @WithName("path-style")
            Optional<String> pathStyle();

            /**
             * when_supported (send and check CRC checksums on every request, the SDK's default) or when_required (only
             * where S3 requires them: many S3-compatible servers reject the former). Unset = when_required with an
             * endpoint, else when_supported.
             */
            Optional<String> checksum();

            /** Server-side encryption of stored objects: none (the bucket's default), AES256 or aws:kms. */
            @WithDefault("none")
            String sse();

            /** The KMS key of sse=aws:kms; unset = the account's aws/s3 key. An error with any other sse. */
            @WithName("sse-kms-key-id")
            Optional<String> sseKmsKeyId();

            /** The storage class of stored objects (STANDARD, STANDARD_IA, ...); unset = the bucket's default. */
            @WithName("storage-class")
            Optional<String> storageClass();
        }
    }
}
