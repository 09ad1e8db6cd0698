package dev.ferry.archive;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.BytesWrapper;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.multipart.MultipartConfiguration;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 *
 * <p>Timeouts: a connection must open within {@link #CONNECT_TIMEOUT}, and the small calls (head, read, write,
 * delete) get {@link #SMALL_CALL_ATTEMPT} per attempt, so an unreachable server fails in seconds; transfers have no
 * whole-call limit (a large snapshot takes what it takes) and rely on the HTTP client's read and write timeouts
 * to notice a stalled connection.
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
    private static final AwsRequestOverrideConfiguration SMALL_CALL = AwsRequestOverrideConfiguration.builder()
        .apiCallAttemptTimeout(SMALL_CALL_ATTEMPT).apiCallTimeout(SMALL_CALL_ATTEMPT.multipliedBy(3)).build();

    private final ArchiveUrl.S3 url;
    private final S3Settings settings;
    private final S3Failures failures;
    private final S3AsyncClient client;
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
        Region region = region(settings);
        this.failures = new S3Failures(settings.endpoint().map(Object::toString).orElse("AWS S3 (" + region + ")"));
        boolean everywhere = settings.checksum() == S3Settings.Checksum.WHEN_SUPPORTED;
        this.loops = new NioEventLoopGroup(2, new DefaultThreadFactory("ferry-s3", true));
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
        this.client = b.build();
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
        await(client.putObject(put(key).metadata(metadata).contentLength(size).build(), body), "upload " + where(key));
    }

    @Override
    public boolean download(String key, Path target, Progress progress) throws IOException {
        // the size first: progress reports it, and a missing object leaves no temporary file behind
        Optional<ObjectInfo> info = head(key);
        if (info.isEmpty()) return false;
        Path tmp = FileArchiveStore.temp(target);
        try {
            var toFile = AsyncResponseTransformer.<GetObjectResponse>toFile(tmp);
            var counted = new CountingResponseTransformer<>(toFile, new TransferCounter(progress, info.get().size()));
            GetObjectRequest req = GetObjectRequest.builder().bucket(url.bucket()).key(objectKey(key)).build();
            if (awaitUnlessMissing(client.getObject(req, counted), "download " + where(key)).isEmpty()) {
                Files.deleteIfExists(tmp);
                return false;
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        FileArchiveStore.publish(tmp, target);
        return true;
    }

    @Override
    public Optional<byte[]> read(String key) throws IOException {
        GetObjectRequest req = GetObjectRequest.builder().bucket(url.bucket()).key(objectKey(key)).overrideConfiguration(SMALL_CALL).build();
        return awaitUnlessMissing(client.getObject(req, AsyncResponseTransformer.toBytes()), "read " + where(key))
            .map(BytesWrapper::asByteArray);
    }

    @Override
    public void write(String key, byte[] body, String contentType) throws IOException {
        PutObjectRequest req = put(key).contentType(contentType).contentLength((long) body.length).overrideConfiguration(SMALL_CALL).build();
        await(client.putObject(req, AsyncRequestBody.fromBytes(body)), "write " + where(key));
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        return awaitUnlessMissing(client.headObject(b -> b.bucket(url.bucket()).key(objectKey(key)).overrideConfiguration(SMALL_CALL)),
            "head " + where(key)).map(r -> new ObjectInfo(key, r.contentLength(), r.metadata()));
    }

    @Override
    public void delete(String key) throws IOException {
        // S3 answers 204 for a missing key; some compatible servers say NoSuchKey: deleted either way
        awaitUnlessMissing(client.deleteObject(b -> b.bucket(url.bucket()).key(objectKey(key)).overrideConfiguration(SMALL_CALL)),
            "delete " + where(key));
    }

    @Override
    public String describe() {
        return url + settings.endpoint().map(e -> " at " + e).orElse("");
    }

    @Override
    public void close() {
        client.close();
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
