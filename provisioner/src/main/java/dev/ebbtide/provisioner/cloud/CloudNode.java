package dev.ebbtide.provisioner.cloud;

import dev.ebbtide.common.events.ErrorClass;
import java.time.Instant;

/**
 * One node as the cloud sees it.
 *
 * @param name      stable node name (the local worker name, or the scale set VM's name)
 * @param status    the cloud's state, translated in the provider
 * @param createdAt when the cloud was asked for it, if known
 * @param error     the class of the failure when {@code status} is {@link CloudNodeStatus#FAILED}, else {@code NONE}
 * @param message   a human sentence about the failure, never containing secrets
 */
public record CloudNode(String name, CloudNodeStatus status, Instant createdAt, ErrorClass error, String message) {
    public static CloudNode of(String name, CloudNodeStatus status, Instant createdAt) {
        return new CloudNode(name, status, createdAt, ErrorClass.NONE, null);
    }
}
