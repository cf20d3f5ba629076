package dev.ebbtide.common.azureml;

/** A job or cluster document that cannot be accepted; the message says what to fix. */
public class InvalidSpecException extends RuntimeException {
    public InvalidSpecException(String message) {
        super(message);
    }

    public InvalidSpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
