package dev.ferry.archive;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;

/**
 * Leaves x-amz-mp-object-size out of CompleteMultipartUpload. The SDK's multipart client (2.40) sends it with every
 * multipart upload so that AWS S3 checks the object's total size; s3proxy 2.6.0 answers any x-amz header it does
 * not know with 501 NotImplemented ("Unknown header x-amz-mp-object-size"), and other S3-compatible servers lag
 * behind S3 in the same way. Used only with an endpoint: AWS S3 keeps the check.
 */
final class WithoutMpuObjectSize implements ExecutionInterceptor {
    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        if (context.request() instanceof CompleteMultipartUploadRequest r && r.mpuObjectSize() != null) {
            return r.toBuilder().mpuObjectSize(null).build();
        }
        return context.request();
    }
}
