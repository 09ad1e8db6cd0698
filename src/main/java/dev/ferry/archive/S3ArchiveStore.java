package dev.ferry.archive;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.multipart.MultipartConfiguration;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An archive in an S3 bucket (or an S3-compatible server) under a key prefix, through the SDK's S3AsyncClient with
 * its own multipart support: a file above {@link #PART_SIZE} goes up in parts read from the file as they are sent
 * (at most {@link #TRANSFER_BUFFER} in memory) and appears only when the upload is completed, so a failed upload
 * leaves no object (its parts stay on the server until aborted; a bucket lifecycle rule that aborts incomplete
 * multipart uploads cleans what a crash leaves). Objects carry their metadata as S3 user metadata (x-amz-meta-*).
 * Objects are read (open, read, download) through presigned GETs on a plain connection: see {@link #open}.
 *
 * <p>Timeouts: a connection must open within {@link #CONNECT_TIMEOUT}, and the small calls (head, read, write,
 * delete) get {@link #SMALL_CALL_ATTEMPT} per attempt, so an unreachable server fails in seconds; transfers have no
 * whole-call limit (a large snapshot takes what it takes) and rely on the HTTP client's read and write timeouts
 * (a GET's: {@link #TRANSFER_READ_TIMEOUT}) to notice a stalled connection.
 */
public final class S3ArchiveStore implements ArchiveStore {
    static final long PART_SIZE = 16L * 1024 * 1024;
    static final long TRANSFER_BUFFER = 4 * PART_SIZE;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /**
     * How long a request may wait for a connection: the connect, TLS, and a free connection of the pool (never
     * short of them: at most 4 parts are in flight). Not the SDK's 10 s: against a closed port an attempt's
     * acquisition was seen to hang instead of being refused (in 1 to 5 calls of 15, with the SDK's own threads as
     * with ours), and each such attempt costs this.
     */
    static final Duration CONNECTION_ACQUIRE_TIMEOUT = Duration.ofSeconds(5);
    static final Duration SMALL_CALL_ATTEMPT = Duration.ofSeconds(10);
    /** A download whose server sends nothing for this long is broken (and retried by the bootstrap). */
    static final Duration TRANSFER_READ_TIMEOUT = Duration.ofSeconds(60);
    /** How long a presigned GET may take to start. */
    private static final Duration PRESIGNED_FOR = Duration.ofMinutes(15);
    private static final AwsRequestOverrideConfiguration SMALL_CALL = AwsRequestOverrideConfiguration.builder()
        .apiCallAttemptTimeout(SMALL_CALL_ATTEMPT).apiCallTimeout(SMALL_CALL_ATTEMPT.multipliedBy(3)).build();

    private final ArchiveUrl.S3 url;
    private final S3Settings settings;
    private final S3Failures failures;
    private final AwsCredentialsProvider credentials;
    private final Region region;
    /** Built on first use: a start that only reads (a bootstrap) does not wait for it. */
    private S3AsyncClient client;
    private S3Presigner presigner;
    /**
     * The HTTP client's threads, ours rather than the SDK's: closing an SDK-owned group waits out Netty's 2 s quiet
     * period, which would take most of a stop's grace (ferry.shutdown-grace); once the client is closed nothing
     * runs on them, so they end without one.
     */
    private final EventLoopGroup loops;

    /** Credentials: {@link ArchiveStores} passes the SDK's default chain; tests pass fixed ones. */
    public S3ArchiveStore(ArchiveUrl.S3 url, S3Settings settings, AwsCredentialsProvider credentials) {
        this.url = url;
        this.settings = settings;
        this.credentials = credentials;
        this.region = region(settings);
        this.failures = new S3Failures(settings.endpoint().map(Object::toString).orElse("AWS S3 (" + region + ")"));
        this.loops = new NioEventLoopGroup(2, new DefaultThreadFactory("ferry-s3", true));
    }

    private synchronized S3AsyncClient client() {
        if (client != null) return client;
        boolean everywhere = settings.checksum() == S3Settings.Checksum.WHEN_SUPPORTED;
        S3AsyncClientBuilder b = S3AsyncClient.builder()
            .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                .eventLoopGroup(SdkEventLoopGroup.create(loops))
                .connectionTimeout(CONNECT_TIMEOUT)
                .connectionAcquisitionTimeout(CONNECTION_ACQUIRE_TIMEOUT))
            .credentialsProvider(credentials)
            .region(region)
            .forcePathStyle(settings.pathStyle())
            .requestChecksumCalculation(everywhere ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(everywhere ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED)
            .multipartEnabled(true)
            .multipartConfiguration(MultipartConfiguration.builder()
                .thresholdInBytes(PART_SIZE)
                .minimumPartSizeInBytes(PART_SIZE)
                .apiCallBufferSizeInBytes(TRANSFER_BUFFER)
                .build());
        settings.endpoint().ifPresent(endpoint -> b.endpointOverride(endpoint)
            .overrideConfiguration(o -> o.addExecutionInterceptor(new WithoutMpuObjectSize())));
        client = b.build();
        return client;
    }

    private synchronized S3Presigner presigner() {
        if (presigner != null) return presigner;
        S3Presigner.Builder b = S3Presigner.builder()
            .credentialsProvider(credentials)
            .region(region)
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build());
        settings.endpoint().ifPresent(b::endpointOverride);
        presigner = b.build();
        return presigner;
    }

    /** The configured region, else the SDK's chain, else (only for an S3-compatible endpoint) us-east-1. */
    private static Region region(S3Settings settings) {
        if (settings.region().isPresent()) return Region.of(settings.region().get());
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkClientException e) {
            if (settings.endpoint().isPresent()) return Region.US_EAST_1;
            throw new IllegalArgumentException("ferry.archive.s3.region is not set and the SDK found no region "
                + "(AWS_REGION, the profile, instance metadata): set one of them");
        }
    }

    private String objectKey(String key) {
        return url.objectKey(key);
    }

    private String where(String key) {
        return "s3://" + url.bucket() + "/" + objectKey(key);
    }

    private PutObjectRequest.Builder put(String key) {
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(url.bucket()).key(objectKey(key));
        settings.sse().ifPresent(b::serverSideEncryption);
        settings.sseKmsKeyId().ifPresent(b::ssekmsKeyId);
        settings.storageClass().ifPresent(b::storageClass);
        return b;
    }

    @Override
    public void upload(Path file, String key, Map<String, String> metadata, Progress progress) throws IOException {
        long size = Files.size(file);
        AsyncRequestBody body = new CountingRequestBody(AsyncRequestBody.fromFile(file), new TransferCounter(progress, size));
        await(client().putObject(put(key).metadata(metadata).contentLength(size).build(), body), "upload " + where(key));
    }

    @Override
    public boolean download(String key, Path target, Progress progress) throws IOException {
        String what = "download " + where(key);
        HttpURLConnection c = get(key, TRANSFER_READ_TIMEOUT, what);
        if (c == null) return false;
        Path tmp = FileArchiveStore.temp(target);
        try (InputStream in = new FailureWordsInputStream(c.getInputStream(), e -> failures.failure(what, e))) {
            FileArchiveStore.write(in, c.getContentLengthLong(), tmp, progress);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        FileArchiveStore.publish(tmp, target);
        return true;
    }

    /**
     * Reads go through a presigned GET read from a plain socket, not through the async client: they are what a
     * bootstrap waits for, at start-up, when the JVM is cold. Measured here against s3proxy on a fresh JVM: the
     * presigner is ready in 0.44 s and 50 MB arrive in 0.5 s, where building the async client took 0.74 s, its
     * first 50 MB GET 1.2 s, and its transfer kept a core busy that the loader needs. The URL is signed with the
     * same credentials, region and addressing; S3 checks its expiry only when the request starts.
     */
    @Override
    public Optional<InputStream> open(String key) throws IOException {
        String what = "download " + where(key);
        HttpURLConnection c = get(key, TRANSFER_READ_TIMEOUT, what);
        if (c == null) return Optional.empty();
        return Optional.of(new FailureWordsInputStream(c.getInputStream(), e -> failures.failure(what, e)));
    }

    @Override
    public Optional<byte[]> read(String key) throws IOException {
        String what = "read " + where(key);
        HttpURLConnection c = get(key, SMALL_CALL_ATTEMPT, what);
        if (c == null) return Optional.empty();
        try (InputStream in = c.getInputStream()) {
            return Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw failures.failure(what, e);
        }
    }

    /** The answer to a presigned GET of key, its body unread; null when there is no such object. */
    private HttpURLConnection get(String key, Duration readTimeout, String what) throws IOException {
        HttpURLConnection c;
        int status;
        try {
            URL signed = presigner().presignGetObject(r -> r.signatureDuration(PRESIGNED_FOR)
                .getObjectRequest(g -> g.bucket(url.bucket()).key(objectKey(key)))).url();
            c = (HttpURLConnection) signed.openConnection();
            c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            c.setReadTimeout((int) readTimeout.toMillis());
            status = c.getResponseCode();
        } catch (IOException | RuntimeException e) {
            throw failures.failure(what, e);
        }
        if (status == 200) return c;
        S3Failures.Answer answer;
        try (InputStream err = c.getErrorStream()) {
            answer = S3Failures.Answer.parse(status, err == null ? new byte[0] : err.readNBytes(64 * 1024));
        }
        if (answer.isMissingObject()) return null;
        throw failures.failure(what, answer);
    }

    @Override
    public void write(String key, byte[] body, String contentType) throws IOException {
        PutObjectRequest req = put(key).contentType(contentType).contentLength((long) body.length).overrideConfiguration(SMALL_CALL).build();
        await(client().putObject(req, AsyncRequestBody.fromBytes(body)), "write " + where(key));
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        return awaitUnlessMissing(client().headObject(b -> b.bucket(url.bucket()).key(objectKey(key)).overrideConfiguration(SMALL_CALL)),
            "head " + where(key)).map(r -> new ObjectInfo(key, r.contentLength(), r.metadata()));
    }

    @Override
    public void delete(String key) throws IOException {
        // S3 answers 204 for a missing key; some compatible servers say NoSuchKey: deleted either way
        awaitUnlessMissing(client().deleteObject(b -> b.bucket(url.bucket()).key(objectKey(key)).overrideConfiguration(SMALL_CALL)),
            "delete " + where(key));
    }

    @Override
    public String describe() {
        return url + settings.endpoint().map(e -> " at " + e).orElse("");
    }

    @Override
    public synchronized void close() {
        if (client != null) client.close();
        if (presigner != null) presigner.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private <T> T await(CompletableFuture<T> call, String what) throws IOException {
        try {
            return join(call, what);
        } catch (ExecutionException e) {
            throw failures.failure(what, e);
        }
    }

    /** Empty when the object is not there: NoSuchKey, or the bare 404 a HEAD gets (no body to name a bucket). */
    private <T> Optional<T> awaitUnlessMissing(CompletableFuture<T> call, String what) throws IOException {
        try {
            return Optional.of(join(call, what));
        } catch (ExecutionException e) {
            S3Exception answered = S3Failures.answered(e);
            if (answered != null && isMissingObject(answered)) return Optional.empty();
            throw failures.failure(what, e);
        }
    }

    /** Waits for a call; an interrupt cancels it. */
    private static <T> T join(CompletableFuture<T> call, String what) throws ExecutionException, InterruptedIOException {
        try {
            return call.get();
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("S3 " + what + " interrupted");
        }
    }

    private static boolean isMissingObject(S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return "NoSuchKey".equals(code) || (e.statusCode() == 404 && (code == null || !code.equals("NoSuchBucket")));
    }
}
