package dev.ebbtide.provisioner.cloud;

import dev.ebbtide.common.events.ErrorClass;
import java.time.Duration;

/** A classified cloud failure. The message is for people and never contains credentials or tokens. */
public class CloudException extends RuntimeException {
    private final ErrorClass errorClass;
    private final Duration retryAfter;

    public CloudException(ErrorClass errorClass, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.errorClass = errorClass;
        this.retryAfter = retryAfter;
    }

    public CloudException(ErrorClass errorClass, String message) {
        this(errorClass, message, null, null);
    }

    public ErrorClass errorClass() {
        return errorClass;
    }

    /** How long the cloud asked us to wait, when it said so (Retry-After); else null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
