package dev.ebbtide.provisioner.cloud.azure;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementError;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.polling.PollResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place where Azure's vocabulary becomes Ebbtide's: error codes and HTTP statuses become {@link ErrorClass},
 * provisioning and power states become {@link CloudNodeStatus}. Sources for every code are in
 * {@code docs/azure.md} and {@code ../shared/azure-arm/README.md}.
 */
public final class AzureTranslation {

    /** Codes of allocation / capacity failures; they arrive late, inside a failed async operation, or sync (SKU). */
    static final Set<String> CAPACITY_CODES = Set.of(
            "allocationfailed",
            "zonalallocationfailed",
            "overconstrainedallocationrequest",
            "overconstrainedzonalallocationrequest",
            "skunotavailable",
            "allocationtimedout");

    static final Set<String> THROTTLE_CODES =
            Set.of("toomanyrequests", "subscriptionrequeststhrottled", "retryableerrorduetoanotheroperation");
    static final Set<String> CONFLICT_CODES = Set.of("preconditionfailed", "conflict", "anotheroperationinprogress");
    static final Set<String> NOT_FOUND_CODES = Set.of("resourcenotfound", "notfound", "resourcegroupnotfound");
    static final Set<String> TRANSIENT_CODES = Set.of(
            "internalservererror",
            "internalexecutionerror",
            "serviceunavailable",
            "gatewaytimeout",
            "networkinginternaloperationerror",
            "internaloperationerror");
    private static final Pattern TRY_AGAIN_AFTER = Pattern.compile("try again after '(\\d+)' seconds");

    private AzureTranslation() {}

    // ---------------------------------------------------------------- errors

    /**
     * Classify an Azure error from its HTTP status (0 when it came from an async-operation status), its code, its
     * message and its nested details' codes and messages.
     */
    public static ErrorClass classify(
            int httpStatus, String code, String message, List<String> detailCodes, List<String> detailMessages) {
        List<String> codes = new ArrayList<>();
        if (code != null) {
            codes.add(code.toLowerCase(Locale.ROOT));
        }
        detailCodes.forEach(c -> codes.add(c == null ? "" : c.toLowerCase(Locale.ROOT)));
        List<String> messages = new ArrayList<>();
        if (message != null) {
            messages.add(message);
        }
        messages.addAll(detailMessages);

        if (httpStatus == 429 || codes.stream().anyMatch(THROTTLE_CODES::contains)) {
            return ErrorClass.THROTTLED;
        }
        if (codes.contains("quotaexceeded")
                || (codes.contains("operationnotallowed")
                        && messages.stream().anyMatch(AzureTranslation::mentionsQuota))) {
            return ErrorClass.QUOTA_EXCEEDED;
        }
        if (codes.stream().anyMatch(CAPACITY_CODES::contains)) {
            return ErrorClass.CAPACITY_UNAVAILABLE;
        }
        if (codes.contains("operationpreempted")) {
            return ErrorClass.PREEMPTED;
        }
        if (httpStatus == 412 || codes.stream().anyMatch(CONFLICT_CODES::contains)) {
            return ErrorClass.CONFLICT;
        }
        if (httpStatus == 404 || codes.stream().anyMatch(NOT_FOUND_CODES::contains)) {
            return ErrorClass.NOT_FOUND;
        }
        if (httpStatus >= 500 || codes.stream().anyMatch(TRANSIENT_CODES::contains)) {
            return ErrorClass.TRANSIENT;
        }
        if (httpStatus == 409) {
            return ErrorClass.CONFLICT;
        }
        return ErrorClass.UNKNOWN;
    }

    private static boolean mentionsQuota(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("quota");
    }

    /**
     * Turn anything the Azure SDK threw into a classified {@link CloudException}. {@code action} says what was being
     * done ("scale up gpu-cluster to 3"); the message keeps Azure's code and text, never request headers or tokens.
     */
    public static CloudException toCloudException(String action, Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof CloudException ce) {
            return ce;
        }
        if (t instanceof ManagementException me) {
            ManagementError error = me.getValue();
            int status = me.getResponse() == null ? 0 : me.getResponse().getStatusCode();
            // An async-operation failure arrives with the poll's 200 status: that status says nothing about the error.
            int effectiveStatus = status == 200 ? 0 : status;
            String code = error == null ? null : error.getCode();
            String message = error == null ? me.getMessage() : error.getMessage();
            List<String> detailCodes = new ArrayList<>();
            List<String> detailMessages = new ArrayList<>();
            collectDetails(error, detailCodes, detailMessages);
            ErrorClass errorClass = classify(effectiveStatus, code, message, detailCodes, detailMessages);
            Duration retryAfter = retryAfter(me.getResponse(), message);
            return new CloudException(
                    errorClass, describe(action, status, code, message, detailCodes, detailMessages), retryAfter, me);
        }
        if (t instanceof HttpResponseException he) {
            int status = he.getResponse() == null ? 0 : he.getResponse().getStatusCode();
            ErrorClass errorClass = classify(status, null, he.getMessage(), List.of(), List.of());
            return new CloudException(
                    errorClass, action + " failed: HTTP " + status, retryAfter(he.getResponse(), null), he);
        }
        if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException) {
            return new CloudException(
                    ErrorClass.TRANSIENT,
                    action + " failed: " + t.getClass().getSimpleName() + ": " + t.getMessage(),
                    null,
                    t);
        }
        return new CloudException(ErrorClass.UNKNOWN, action + " failed: " + t, null, t);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A long-running operation that ended {@code Failed} or {@code Canceled}: Azure's reason is the {@code error} of
     * the async-operation status document (e.g. {@code ResourceOperationFailure} wrapping {@code AllocationFailed}).
     * A {@code Canceled} operation without an error was preempted by a newer one.
     */
    public static CloudException asyncFailure(String action, String status, PollResult.Error error) {
        String code = null;
        String message = error == null ? null : error.getMessage();
        List<String> detailCodes = new ArrayList<>();
        List<String> detailMessages = new ArrayList<>();
        String body = error == null ? null : error.getResponseBody();
        if (body != null && !body.isBlank()) {
            try {
                JsonNode root = JSON.readTree(body);
                JsonNode e = root.has("error") ? root.get("error") : root;
                code = text(e, "code");
                message = text(e, "message") != null ? text(e, "message") : message;
                collectDetails(e.path("details"), detailCodes, detailMessages);
            } catch (IOException | RuntimeException ignored) {
                // not JSON: keep the SDK's message
            }
        }
        boolean canceled = "Canceled".equalsIgnoreCase(status) || "USER_CANCELLED".equalsIgnoreCase(status);
        if (code == null && canceled) {
            code = "OperationPreempted";
        }
        ErrorClass errorClass = classify(0, code, message, detailCodes, detailMessages);
        String what = action + " (async operation " + (canceled ? "Canceled" : "Failed") + ")";
        return new CloudException(
                errorClass,
                describe(what, 0, code, message, detailCodes, detailMessages),
                error == null ? null : retryAfter(null, message),
                null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static void collectDetails(JsonNode details, List<String> codes, List<String> messages) {
        if (details == null || !details.isArray()) {
            return;
        }
        for (JsonNode d : details) {
            codes.add(text(d, "code"));
            if (text(d, "message") != null) {
                messages.add(text(d, "message"));
            }
            collectDetails(d.path("details"), codes, messages);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        for (int i = 0;
                i < 8
                        && t.getCause() != null
                        && !(t instanceof HttpResponseException)
                        && !(t instanceof CloudException)
                        && !(t instanceof IOException)
                        && !(t instanceof TimeoutException);
                i++) {
            t = t.getCause();
        }
        return t;
    }

    private static void collectDetails(ManagementError error, List<String> codes, List<String> messages) {
        if (error == null || error.getDetails() == null) {
            return;
        }
        for (ManagementError detail : error.getDetails()) {
            codes.add(detail.getCode());
            if (detail.getMessage() != null) {
                messages.add(detail.getMessage());
            }
            collectDetails(detail, codes, messages);
        }
    }

    private static String describe(
            String action,
            int status,
            String code,
            String message,
            List<String> detailCodes,
            List<String> detailMessages) {
        StringBuilder sb = new StringBuilder(action).append(" failed: ");
        if (status > 0 && status != 200) {
            sb.append("HTTP ").append(status).append(' ');
        }
        sb.append(code);
        if (!detailCodes.isEmpty()) {
            sb.append(' ').append(detailCodes);
        }
        // a wrapper (ResourceOperationFailure, ResourceDeploymentFailure, Conflict …) says less than its details
        String text = !detailMessages.isEmpty() ? detailMessages.get(0) : message;
        if (text != null) {
            sb.append(": ").append(text.strip());
        }
        return sb.toString();
    }

    /**
     * How long Azure asked us to wait: {@code Retry-After} (seconds or an HTTP date), {@code retry-after-ms},
     * {@code x-ms-retry-after-ms}, else ARM's "try again after 'N' seconds" in the message; null when not said.
     */
    static Duration retryAfter(HttpResponse response, String message) {
        if (response != null) {
            HttpHeaders headers = response.getHeaders();
            for (String name : List.of("retry-after-ms", "x-ms-retry-after-ms")) {
                String ms = headers.getValue(name);
                if (ms != null && ms.strip().matches("\\d+")) {
                    return Duration.ofMillis(Long.parseLong(ms.strip()));
                }
            }
            String value = headers.getValue("Retry-After");
            if (value != null) {
                String v = value.strip();
                if (v.matches("\\d+")) {
                    return Duration.ofSeconds(Long.parseLong(v));
                }
                try {
                    OffsetDateTime at = OffsetDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                    Duration d = Duration.between(OffsetDateTime.now(at.getOffset()), at);
                    return d.isNegative() ? Duration.ZERO : d;
                } catch (RuntimeException ignored) {
                    // not a date either: fall through
                }
            }
        }
        if (message != null) {
            Matcher m = TRY_AGAIN_AFTER.matcher(message);
            if (m.find()) {
                return Duration.ofSeconds(Long.parseLong(m.group(1)));
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- node states

    /** A node's state and, when failed, its error class and Azure's status text. */
    public record NodeState(CloudNodeStatus status, ErrorClass error, String message) {}

    /**
     * Translate a scale set VM.
     *
     * @param provisioningState  the VM's {@code provisioningState} (Creating, Updating, Succeeded, Failed, Deleting)
     * @param statusCodes        instance view {@code statuses[].code}, e.g. {@code PowerState/running}; may be empty
     * @param spot               whether the scale set runs Spot (low-priority) VMs
     * @param deletionRequested  whether Ebbtide asked to delete this VM (else a Spot VM going away was evicted)
     */
    public static NodeState nodeState(
            String provisioningState, List<String> statusCodes, boolean spot, boolean deletionRequested) {
        String ps = provisioningState == null ? "" : provisioningState.toLowerCase(Locale.ROOT);
        String power = statusCodes.stream()
                .filter(c -> c != null && c.startsWith("PowerState/"))
                .map(c -> c.substring("PowerState/".length()).toLowerCase(Locale.ROOT))
                .findFirst()
                .orElse(null);
        String failedCode = statusCodes.stream()
                .filter(c -> c != null && c.startsWith("ProvisioningState/failed/"))
                .map(c -> c.substring("ProvisioningState/failed/".length()))
                .findFirst()
                .orElse(null);

        if (ps.equals("deleting")) {
            return spot && !deletionRequested
                    ? new NodeState(CloudNodeStatus.PREEMPTED, ErrorClass.NONE, "Spot VM evicted by Azure")
                    : new NodeState(CloudNodeStatus.DELETING, ErrorClass.NONE, null);
        }
        if (ps.equals("failed") || failedCode != null) {
            if (failedCode == null) {
                return new NodeState(CloudNodeStatus.FAILED, ErrorClass.UNKNOWN, "provisioning failed");
            }
            ErrorClass c = classify(0, failedCode, null, List.of(), List.of());
            return new NodeState(
                    CloudNodeStatus.FAILED,
                    c == ErrorClass.CONFLICT ? ErrorClass.UNKNOWN : c,
                    "provisioning failed: " + failedCode);
        }
        if (ps.equals("creating")) {
            return new NodeState(CloudNodeStatus.CREATING, ErrorClass.NONE, null);
        }
        if (power == null) {
            // no instance view: trust the provisioning state
            return ps.equals("succeeded")
                    ? new NodeState(CloudNodeStatus.READY, ErrorClass.NONE, null)
                    : new NodeState(CloudNodeStatus.CREATING, ErrorClass.NONE, null);
        }
        switch (power) {
            case "running":
                return new NodeState(CloudNodeStatus.READY, ErrorClass.NONE, null);
            case "starting":
                return new NodeState(CloudNodeStatus.CREATING, ErrorClass.NONE, null);
            case "deallocated", "deallocating", "stopped", "stopping":
                if (spot && !deletionRequested) {
                    return new NodeState(
                            CloudNodeStatus.PREEMPTED,
                            ErrorClass.NONE,
                            "Spot VM evicted by Azure (PowerState/" + power + ")");
                }
                return deletionRequested
                        ? new NodeState(CloudNodeStatus.DELETING, ErrorClass.NONE, null)
                        : new NodeState(
                                CloudNodeStatus.FAILED,
                                ErrorClass.UNKNOWN,
                                "VM is " + power + " outside Ebbtide's control");
            default:
                return new NodeState(CloudNodeStatus.CREATING, ErrorClass.NONE, null);
        }
    }

    // ---------------------------------------------------------------- compute instances

    /** A compute instance's VM as Azure reports it. */
    public enum InstancePower {
        ABSENT,
        CREATING,
        STARTING,
        RUNNING,
        STOPPING,
        DEALLOCATED,
        FAILED
    }

    /**
     * Translate the one VM of an instance's scale set: {@code PowerState/running} is running,
     * {@code PowerState/deallocated} (or {@code stopped}: powered off, still billed) is stopped; a failed provisioning
     * is failed; no power state yet follows the provisioning state.
     */
    public static InstancePower instancePower(String provisioningState, List<String> statusCodes) {
        String ps = provisioningState == null ? "" : provisioningState.toLowerCase(Locale.ROOT);
        String power = statusCodes.stream()
                .filter(c -> c != null && c.startsWith("PowerState/"))
                .map(c -> c.substring("PowerState/".length()).toLowerCase(Locale.ROOT))
                .findFirst()
                .orElse(null);
        boolean failed = ps.equals("failed")
                || statusCodes.stream().anyMatch(c -> c != null && c.startsWith("ProvisioningState/failed"));
        if (failed) {
            return InstancePower.FAILED;
        }
        if (ps.equals("deleting")) {
            return InstancePower.ABSENT;
        }
        if (power == null) {
            return ps.equals("creating") || !ps.equals("succeeded") ? InstancePower.CREATING : InstancePower.RUNNING;
        }
        return switch (power) {
            case "running" -> InstancePower.RUNNING;
            case "starting" -> ps.equals("creating") ? InstancePower.CREATING : InstancePower.STARTING;
            case "stopping", "deallocating" -> InstancePower.STOPPING;
            case "stopped", "deallocated" -> InstancePower.DEALLOCATED;
            default -> InstancePower.CREATING;
        };
    }
}
