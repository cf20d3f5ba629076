package dev.ebbtide.provisioner.cloud.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local fake of Azure Resource Manager's Microsoft.Compute scale-set API (api-version 2025-04-01), enough for
 * {@code AzureVmssNodePool}: it serves the real paths, keeps scale-set state, answers long-running operations as
 * Azure does (PUT 201 / PATCH 200 with {@code Azure-AsyncOperation}; delete-instances POST 202 with
 * {@code Azure-AsyncOperation} and {@code Location}, as do deallocate / start / restart and the scale set's DELETE; polls InProgress → Succeeded / Failed / Canceled), records every
 * request, and injects faults on demand with Azure's real error bodies (src/test/resources/azure-arm/errors).
 *
 * <p>Simplification: an operation completes after {@link #pollsBeforeDone} polls, while new VMs stay "Creating" until
 * {@link #settle()} (on Azure the capacity PATCH usually ends when the VMs are up; a VM can still hang afterwards).
 */
public final class FakeArmServer implements AutoCloseable {

    public static final String API_VERSION = "2025-04-01";
    public static final String SUBSCRIPTION = "00000000-0000-0000-0000-0000000000aa";
    public static final String RESOURCE_GROUP = "ebbtide-rg";
    public static final String LOCATION = "westeurope";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SCALE_SET = Pattern.compile(
            "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/virtualMachineScaleSets/([^/]+)(/.*)?");
    private static final Pattern OPERATION = Pattern.compile(
            "/subscriptions/([^/]+)/providers/Microsoft\\.Compute/locations/([^/]+)/operations/([^/]+)");

    private static final Pattern USAGES =
            Pattern.compile("/subscriptions/([^/]+)/providers/Microsoft\\.Compute/locations/([^/]+)/usages");

    /** The quotas Usage - List answers, per location (see {@link FakeUsages}). */
    public final FakeUsages usages = new FakeUsages();

    /** Which operation a fault applies to. */
    public enum Target {
        GET_SCALE_SET,
        PUT_SCALE_SET,
        PATCH_SCALE_SET,
        DELETE_INSTANCES,
        LIST_VMS,
        SIMULATE_EVICTION,
        DEALLOCATE,
        START,
        RESTART,
        DELETE_SCALE_SET
    }

    /**
     * A fault: either answered at once ({@code status} &gt; 0: status, headers, body, nothing changes) or accepted
     * and failed late in the async-operation status ({@code asyncStatus} Failed / Canceled with {@code body} as the
     * status document; {@code vmFailureCode} marks the VMs the request created as failed with that code, a
     * {@code Canceled} operation is undone as if a newer one had won).
     */
    public record Fault(
            Target target,
            int status,
            Map<String, String> headers,
            String body,
            String asyncStatus,
            String vmFailureCode,
            int allocated) {
        public static Fault sync(Target target, int status, String body, Map<String, String> headers) {
            return new Fault(target, status, headers, body, null, null, 0);
        }

        /** The connection is closed without an answer (a network failure / gateway timeout as the client sees it). */
        public static Fault dropConnection(Target target) {
            return new Fault(target, -1, Map.of(), null, null, null, 0);
        }

        public static Fault async(Target target, String asyncStatus, String statusBody, String vmFailureCode) {
            return new Fault(target, 0, Map.of(), statusBody, asyncStatus, vmFailureCode, 0);
        }

        /**
         * As {@link #async}, but Azure allocated the first {@code allocated} VMs of the request before it failed
         * (they are created as usual and run after {@link #settle()}); only the others fail with the code.
         */
        public static Fault asyncPartly(
                Target target, String asyncStatus, String statusBody, String vmFailureCode, int allocated) {
            return new Fault(target, 0, Map.of(), statusBody, asyncStatus, vmFailureCode, allocated);
        }
    }

    /** One request as received. {@code line()} is what tests compare. */
    public record Recorded(
            String method,
            String path,
            Map<String, String> query,
            String body,
            String ifMatch,
            String ifNoneMatch,
            Instant at) {
        /** {@code METHOD path[?interesting query] [compact body]}; api-version and the poll token are left out. */
        public String line() {
            StringBuilder sb = new StringBuilder(method).append(' ').append(path);
            List<String> q = new ArrayList<>();
            query.forEach((k, v) -> {
                if (!k.equals("api-version") && !k.equals("p")) {
                    q.add(k + "=" + v);
                }
            });
            if (!q.isEmpty()) {
                sb.append('?').append(String.join("&", q));
            }
            if (ifMatch != null) {
                sb.append(" If-Match:").append(ifMatch);
            }
            if (ifNoneMatch != null) {
                sb.append(" If-None-Match:").append(ifNoneMatch);
            }
            if (body != null && !body.isBlank()) {
                try {
                    sb.append(' ').append(JSON.writeValueAsString(JSON.readTree(body)));
                } catch (IOException e) {
                    sb.append(' ').append(body);
                }
            }
            return sb.toString();
        }

        public boolean isPoll() {
            return path.contains("/operations/");
        }
    }

    /** One VM of a scale set. */
    public static final class Vm {
        final String instanceId;
        final String name;
        String provisioningState = "Creating";
        String powerState = "PowerState/starting";
        String failureCode;
        final Instant timeCreated;
        int etag = 1;

        Vm(String instanceId, String name, Instant timeCreated) {
            this.instanceId = instanceId;
            this.name = name;
            this.timeCreated = timeCreated;
        }

        public String name() {
            return name;
        }

        public String provisioningState() {
            return provisioningState;
        }
    }

    /** A scale set's state. */
    public static final class ScaleSet {
        final String name;
        String location;
        String skuName;
        long capacity;
        int etag = 1;
        String provisioningState = "Succeeded";
        JsonNode createBody;
        public String priority = "Regular";
        final Map<String, Vm> vms = new LinkedHashMap<>();
        int nextInstanceId;
        Map<String, String> tags = new LinkedHashMap<>();

        ScaleSet(String name) {
            this.name = name;
        }

        public long capacity() {
            return capacity;
        }

        public List<Vm> vms() {
            return List.copyOf(vms.values());
        }

        public JsonNode createBody() {
            return createBody;
        }
    }

    private static final class Operation {
        final String id;
        int remainingInProgress;
        final String finalStatus;
        final String failureBody;
        final Runnable onDone;
        final Instant startTime;
        boolean done;

        Operation(
                String id,
                int remainingInProgress,
                String finalStatus,
                String failureBody,
                Runnable onDone,
                Instant startTime) {
            this.id = id;
            this.remainingInProgress = remainingInProgress;
            this.finalStatus = finalStatus;
            this.failureBody = failureBody;
            this.onDone = onDone;
            this.startTime = startTime;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final Map<String, ScaleSet> scaleSets = new LinkedHashMap<>();
    private final Map<String, Operation> operations = new LinkedHashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final Map<Target, Runnable> beforeNext = new java.util.EnumMap<>(Target.class);
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private int operationCounter;
    /** In-progress answers before an operation reaches its final status. */
    public volatile int pollsBeforeDone = 1;
    /** When set, LRO responses and polls carry {@code Retry-After} with this many seconds. */
    public volatile Integer lroRetryAfterSeconds;
    /** Every response of a request whose api-version is not {@link #API_VERSION} is a 400; counted here. */
    public volatile int wrongApiVersions;
    /** The time the throttling buckets refill by and requests are recorded at; a test may set a mutable clock. */
    public volatile Clock clock = Clock.systemUTC();

    private Bucket writes;
    private Bucket reads;
    private int throttled;
    private int writesAccepted;

    /**
     * ARM's per-subscription token bucket (2024 algorithm): {@code capacity} tokens, {@code refillPerSecond} added per
     * second up to the capacity. A request that finds no whole token is not counted and is answered 429.
     */
    private static final class Bucket {
        final int capacity;
        final double refillPerSecond;
        double tokens;
        Instant at;

        Bucket(int capacity, double refillPerSecond, Instant now) {
            this.capacity = capacity;
            this.refillPerSecond = refillPerSecond;
            this.tokens = capacity;
            this.at = now;
        }

        void refill(Instant now) {
            if (now.isAfter(at)) {
                tokens = Math.min(capacity, tokens + Duration.between(at, now).toNanos() / 1e9 * refillPerSecond);
                at = now;
            }
        }

        /** Seconds until a whole token is back, as ARM rounds them for Retry-After (at least 1). */
        long retryAfterSeconds() {
            return Math.max(1, (long) Math.ceil((1.0 - tokens) / refillPerSecond));
        }
    }

    public FakeArmServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------ test controls

    /**
     * Throttle writes (PUT, PATCH, POST, DELETE of a resource; polls are reads) as ARM does per subscription: every
     * write answer carries {@code x-ms-ratelimit-remaining-subscription-writes}; a write with no token left is answered
     * 429 with {@code Retry-After} (seconds until a token is back) and ARM's error body. ARM's own numbers are 200 and
     * 10 per second. Off by default.
     */
    public synchronized void throttleWrites(int capacity, double refillPerSecond) {
        writes = new Bucket(capacity, refillPerSecond, clock.instant());
    }

    /** As {@link #throttleWrites} for GETs ({@code x-ms-ratelimit-remaining-subscription-reads}); ARM: 250, 25/s. */
    public synchronized void throttleReads(int capacity, double refillPerSecond) {
        reads = new Bucket(capacity, refillPerSecond, clock.instant());
    }

    /** 429s answered so far. */
    public synchronized int throttled() {
        return throttled;
    }

    /** Writes let through the write bucket so far (answered with their own status). */
    public synchronized int writesAccepted() {
        return writesAccepted;
    }

    public synchronized void inject(Fault fault) {
        faults.add(fault);
    }

    /** Run {@code change} when the next request of this kind arrives, before it is handled (a concurrent writer). */
    public synchronized void beforeNext(Target target, Runnable change) {
        beforeNext.put(target, change);
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** Request lines without the operation polls. */
    public List<String> lines() {
        return requests.stream().filter(r -> !r.isPoll()).map(Recorded::line).toList();
    }

    /** Every request line including polls. */
    public List<String> allLines() {
        return requests.stream().map(Recorded::line).toList();
    }

    public void clearRequests() {
        requests.clear();
    }

    public synchronized ScaleSet scaleSet(String name) {
        return scaleSets.get(name);
    }

    /** Create a scale set directly (as if made earlier), empty. */
    public synchronized ScaleSet givenScaleSet(String name, String size, boolean spot) {
        ScaleSet s = new ScaleSet(name);
        s.location = LOCATION;
        s.skuName = size;
        s.priority = spot ? "Spot" : "Regular";
        scaleSets.put(name, s);
        return s;
    }

    /** Every VM still creating becomes running. */
    public void settle() {
        settleAllBut();
    }

    /** Every VM still creating becomes running, except these (they hang in "Creating"). */
    public synchronized void settleAllBut(String... hanging) {
        List<String> stuck = List.of(hanging);
        scaleSets
                .values()
                .forEach(s -> s.vms.values().forEach(vm -> {
                    if (vm.provisioningState.equals("Creating") && !stuck.contains(vm.name)) {
                        vm.provisioningState = "Succeeded";
                        vm.powerState = "PowerState/running";
                    }
                }));
    }

    /** A running VM Ebbtide did not ask for (left over by a crash, or made by hand): capacity grows by one. */
    public synchronized Vm addRunningVm(String scaleSetName) {
        ScaleSet s = scaleSets.get(scaleSetName);
        Vm vm = newVm(s);
        vm.provisioningState = "Succeeded";
        vm.powerState = "PowerState/running";
        s.capacity++;
        s.etag++;
        return vm;
    }

    /** Azure evicts a Spot VM (eviction policy Delete: it is being deleted). */
    public synchronized void evict(String scaleSetName, String vmName) {
        ScaleSet s = scaleSets.get(scaleSetName);
        s.vms.values().stream().filter(v -> v.name.equals(vmName)).forEach(v -> v.provisioningState = "Deleting");
    }

    // ------------------------------------------------------------------ HTTP

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = ex.getRequestURI().getRawPath();
            Map<String, String> query = parseQuery(ex.getRequestURI().getRawQuery());
            requests.add(new Recorded(
                    ex.getRequestMethod(),
                    path,
                    query,
                    body,
                    ex.getRequestHeaders().getFirst("If-Match"),
                    ex.getRequestHeaders().getFirst("If-None-Match"),
                    clock.instant()));
            Response r;
            synchronized (this) {
                r = throttle(ex.getRequestMethod(), path);
                if (r == null) {
                    r = route(
                            ex.getRequestMethod(),
                            path,
                            query,
                            body,
                            ex.getRequestHeaders().getFirst("If-Match"),
                            ex.getRequestHeaders().getFirst("If-None-Match"));
                    remainingHeader(ex.getRequestMethod(), path, r);
                }
            }
            if (r.status < 0) {
                return; // close without answering
            }
            r.headers.putIfAbsent("x-ms-request-id", java.util.UUID.randomUUID().toString());
            r.headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            byte[] bytes = r.body == null ? new byte[0] : r.body.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0) {
                ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            }
            ex.sendResponseHeaders(r.status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                ex.getResponseBody().write(bytes);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private static final class Response {
        final int status;
        final Map<String, String> headers = new LinkedHashMap<>();
        final String body;

        Response(int status, String body) {
            this.status = status;
            this.body = body;
        }

        Response header(String k, String v) {
            headers.put(k, v);
            return this;
        }
    }

    /** A 429 when the request's bucket is empty (the request is not counted), else null and a token is spent. */
    private Response throttle(String method, String path) {
        Bucket b = bucketOf(method, path);
        if (b == null) {
            return null;
        }
        b.refill(clock.instant());
        if (b.tokens < 1.0) {
            throttled++;
            String kind = b == writes ? "write" : "read";
            long seconds = b.retryAfterSeconds();
            Response r = error(
                    429,
                    "SubscriptionRequestsThrottled",
                    "Number of '" + kind + "' requests for subscription '" + SUBSCRIPTION
                            + "' actor '00000000-0000-0000-0000-0000000000cc' exceeded. Please try again after '"
                            + seconds + "' seconds after additional tokens are available. Refer to"
                            + " https://aka.ms/arm-throttling for additional information.");
            r.header("Retry-After", Long.toString(seconds));
            r.header(remainingName(b), "0");
            return r;
        }
        b.tokens -= 1.0;
        if (b == writes) {
            writesAccepted++;
        }
        return null;
    }

    private void remainingHeader(String method, String path, Response r) {
        Bucket b = bucketOf(method, path);
        if (b != null && r.status >= 0) {
            r.header(remainingName(b), Long.toString((long) Math.floor(Math.max(0, b.tokens))));
        }
    }

    private String remainingName(Bucket b) {
        return b == writes
                ? "x-ms-ratelimit-remaining-subscription-writes"
                : "x-ms-ratelimit-remaining-subscription-reads";
    }

    private Bucket bucketOf(String method, String path) {
        boolean read = method.equals("GET") || method.equals("HEAD");
        return read ? reads : writes;
    }

    private Response route(
            String method, String path, Map<String, String> query, String body, String ifMatch, String ifNoneMatch) {
        if (!API_VERSION.equals(query.get("api-version"))) {
            wrongApiVersions++;
            return error(
                    400,
                    "InvalidApiVersionParameter",
                    "The api-version '" + query.get("api-version") + "' is invalid. The supported versions are '"
                            + API_VERSION + "'.");
        }
        Matcher op = OPERATION.matcher(path);
        if (op.matches() && method.equals("GET")) {
            return pollOperation(op.group(3), query.containsKey("monitor"));
        }
        Matcher usage = USAGES.matcher(path);
        if (usage.matches() && method.equals("GET") && usage.group(1).equals(SUBSCRIPTION)) {
            return new Response(200, usages.body(usage.group(2)));
        }
        Matcher m = SCALE_SET.matcher(path);
        if (!m.matches() || !m.group(1).equals(SUBSCRIPTION) || !m.group(2).equals(RESOURCE_GROUP)) {
            return error(404, "NotFound", "No route for " + method + " " + path);
        }
        String name = m.group(3);
        String rest = m.group(4) == null ? "" : m.group(4);
        Target target = switch (method + " " + rest) {
            case "GET " -> Target.GET_SCALE_SET;
            case "PUT " -> Target.PUT_SCALE_SET;
            case "PATCH " -> Target.PATCH_SCALE_SET;
            case "POST /delete" -> Target.DELETE_INSTANCES;
            case "GET /virtualMachines" -> Target.LIST_VMS;
            case "POST /deallocate" -> Target.DEALLOCATE;
            case "POST /start" -> Target.START;
            case "POST /restart" -> Target.RESTART;
            case "DELETE " -> Target.DELETE_SCALE_SET;
            default ->
                method.equals("POST") && rest.matches("/virtualMachines/[^/]+/simulateEviction")
                        ? Target.SIMULATE_EVICTION
                        : null;
        };
        if (target == null) {
            return error(405, "MethodNotAllowed", method + " " + rest + " is not served by the fake");
        }
        Runnable change = beforeNext.remove(target);
        if (change != null) {
            change.run();
        }
        Fault fault = faults.peek() != null && faults.peek().target() == target ? faults.poll() : null;
        if (fault != null && fault.status() != 0) {
            Response r = new Response(fault.status(), fault.body());
            fault.headers().forEach(r::header);
            return r;
        }
        ScaleSet s = scaleSets.get(name);
        if (target == Target.PUT_SCALE_SET) {
            return putScaleSet(name, s, body, ifNoneMatch, fault);
        }
        if (s == null) {
            return error(
                    404,
                    "ResourceNotFound",
                    "The Resource 'Microsoft.Compute/virtualMachineScaleSets/" + name
                            + "' under resource group '" + RESOURCE_GROUP
                            + "' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
        }
        return switch (target) {
            case GET_SCALE_SET -> json(200, scaleSetJson(s));
            case PATCH_SCALE_SET -> patchScaleSet(s, body, ifMatch, fault);
            case DELETE_INSTANCES -> deleteInstances(s, body, fault);
            case SIMULATE_EVICTION -> simulateEviction(s, rest.split("/")[2]);
            case LIST_VMS -> json(200, vmListJson(s, "instanceView".equals(query.get("$expand"))));
            case DEALLOCATE -> power(s, body, fault, "PowerState/deallocating", "PowerState/deallocated");
            case START -> power(s, body, fault, "PowerState/starting", "PowerState/running");
            case RESTART -> power(s, body, fault, "PowerState/starting", "PowerState/running");
            case DELETE_SCALE_SET -> deleteScaleSet(s, fault);
            default -> throw new IllegalStateException();
        };
    }

    private Response putScaleSet(String name, ScaleSet existing, String body, String ifNoneMatch, Fault fault) {
        if (existing != null && "*".equals(ifNoneMatch)) {
            return error(412, "PreconditionFailed", "The resource already exists and If-None-Match '*' was given.");
        }
        JsonNode req = readTree(body);
        ScaleSet s = existing != null ? existing : new ScaleSet(name);
        s.createBody = req;
        s.location = req.path("location").asText(LOCATION);
        s.skuName = req.path("sku").path("name").asText();
        s.priority = req.path("properties")
                .path("virtualMachineProfile")
                .path("priority")
                .asText("Regular");
        s.tags = new LinkedHashMap<>();
        req.path("tags")
                .fields()
                .forEachRemaining(e -> s.tags.put(e.getKey(), e.getValue().asText()));
        s.provisioningState = "Creating";
        scaleSets.put(name, s);
        setCapacity(s, req.path("sku").path("capacity").asLong(0));
        Operation op = newOperation(fault, () -> s.provisioningState = "Succeeded", null);
        ObjectNode out = scaleSetJson(s);
        Response r = json(existing == null ? 201 : 200, out);
        return lroHeaders(r, op, false);
    }

    private Response patchScaleSet(ScaleSet s, String body, String ifMatch, Fault fault) {
        if (ifMatch != null && !ifMatch.equals("\"" + s.etag + "\"") && !ifMatch.equals("*")) {
            return error(
                    412,
                    "PreconditionFailed",
                    "Etag provided in if-match header " + ifMatch + " does not match etag \"" + s.etag
                            + "\" of resource.");
        }
        JsonNode req = readTree(body);
        long before = s.capacity;
        List<Vm> added = req.path("sku").has("capacity")
                ? setCapacity(s, req.path("sku").path("capacity").asLong())
                : List.of();
        s.etag++;
        s.provisioningState = "Updating";
        Runnable undo = () -> {
            added.forEach(vm -> s.vms.remove(vm.instanceId));
            s.capacity = before;
            s.provisioningState = "Succeeded";
        };
        Runnable failVms = () -> {
            if (fault != null && fault.vmFailureCode() != null) {
                added.stream().skip(fault.allocated()).forEach(vm -> {
                    vm.provisioningState = "Failed";
                    vm.powerState = null;
                    vm.failureCode = fault.vmFailureCode();
                });
            }
            s.provisioningState = "Failed";
        };
        Operation op = newOperation(
                fault,
                () -> s.provisioningState = "Succeeded",
                fault != null && "Canceled".equals(fault.asyncStatus()) ? undo : failVms);
        return lroHeaders(json(200, scaleSetJson(s)), op, false);
    }

    /** Azure answers 204 and evicts the spot VM (eviction policy Delete: it is gone from the scale set). */
    private Response simulateEviction(ScaleSet s, String instanceId) {
        if (s.vms.remove(instanceId) == null) {
            return error(404, "NotFound", "The entity was not found in this Azure location.");
        }
        s.capacity -= 1;
        s.etag++;
        return new Response(204, null);
    }

    /**
     * Deallocate / start / restart: 202 with {@code Azure-AsyncOperation} and {@code Location}; the VMs named in
     * {@code instanceIds} (all when the body names none) show {@code during} until the operation ends, then {@code after}.
     */
    private Response power(ScaleSet s, String body, Fault fault, String during, String after) {
        JsonNode ids = readTree(body).path("instanceIds");
        List<Vm> vms = new ArrayList<>();
        if (ids.isArray() && !ids.isEmpty()) {
            for (JsonNode id : ids) {
                Vm vm = s.vms.get(id.asText());
                if (vm == null) {
                    return error(
                            400,
                            "InvalidParameter",
                            "The provided instanceId " + id.asText()
                                    + " is not an active Virtual Machine Scale Set VM instanceId.");
                }
                vms.add(vm);
            }
        } else {
            vms.addAll(s.vms.values());
        }
        vms.forEach(vm -> vm.powerState = during);
        Operation op = newOperation(fault, () -> vms.forEach(vm -> vm.powerState = after), null);
        return lroHeaders(new Response(202, null), op, true);
    }

    /** Delete a scale set: 202 with {@code Azure-AsyncOperation} and {@code Location}; gone when the operation ends. */
    private Response deleteScaleSet(ScaleSet s, Fault fault) {
        s.provisioningState = "Deleting";
        s.vms.values().forEach(vm -> vm.provisioningState = "Deleting");
        Operation op = newOperation(fault, () -> scaleSets.remove(s.name), null);
        return lroHeaders(new Response(202, null), op, true);
    }

    private Response deleteInstances(ScaleSet s, String body, Fault fault) {
        JsonNode ids = readTree(body).path("instanceIds");
        if (!ids.isArray() || ids.isEmpty()) {
            return error(400, "InvalidParameter", "Required parameter 'instanceIds' is missing (null).");
        }
        List<Vm> victims = new ArrayList<>();
        for (JsonNode id : ids) {
            Vm vm = s.vms.get(id.asText());
            if (vm == null) {
                return error(
                        400,
                        "InvalidParameter",
                        "The provided instanceId " + id.asText()
                                + " is not an active Virtual Machine Scale Set VM instanceId.");
            }
            victims.add(vm);
        }
        victims.forEach(vm -> vm.provisioningState = "Deleting");
        s.capacity -= victims.size();
        s.etag++;
        Operation op = newOperation(fault, () -> victims.forEach(vm -> s.vms.remove(vm.instanceId)), null);
        return lroHeaders(new Response(202, null), op, true);
    }

    private List<Vm> setCapacity(ScaleSet s, long capacity) {
        List<Vm> added = new ArrayList<>();
        while (s.vms.size() < capacity) {
            added.add(newVm(s));
        }
        // A capacity decrease lets Azure choose: it removes the highest instance ids (Ebbtide must never do this).
        List<String> ids = new ArrayList<>(s.vms.keySet());
        for (int i = ids.size() - 1; i >= 0 && s.vms.size() > capacity; i--) {
            s.vms.remove(ids.get(i));
        }
        s.capacity = capacity;
        return added;
    }

    private Vm newVm(ScaleSet s) {
        String id = Integer.toString(s.nextInstanceId++);
        Vm vm = new Vm(id, s.name + "_" + id, Instant.now());
        s.vms.put(id, vm);
        return vm;
    }

    private Operation newOperation(Fault fault, Runnable onSucceeded, Runnable onFailed) {
        String id = String.format("00000000-0000-4000-8000-%012d", ++operationCounter);
        boolean fails = fault != null && fault.asyncStatus() != null;
        Operation op = new Operation(
                id,
                pollsBeforeDone,
                fails ? fault.asyncStatus() : "Succeeded",
                fails ? fault.body() : null,
                fails ? (onFailed == null ? () -> {} : onFailed) : onSucceeded,
                Instant.parse("2026-11-26T12:00:00Z"));
        operations.put(id, op);
        return op;
    }

    private Response lroHeaders(Response r, Operation op, boolean withLocation) {
        String base =
                endpoint().toString() + "subscriptions/" + SUBSCRIPTION + "/providers/Microsoft.Compute/locations/"
                        + LOCATION + "/operations/" + op.id + "?p=9d1b6f2e-0c4a-4f3e-8a55-2b7c1d9e0f11";
        r.header("Azure-AsyncOperation", base + "&api-version=" + API_VERSION);
        if (withLocation) {
            r.header("Location", base + "&monitor=true&api-version=" + API_VERSION);
        }
        r.header("Azure-AsyncNotification", "Enabled");
        r.header(
                "x-ms-ratelimit-remaining-resource",
                "Microsoft.Compute/VMScaleSetActions3Min;238,Microsoft.Compute/VMScaleSetActions30Min;1198");
        if (lroRetryAfterSeconds != null) {
            r.header("Retry-After", lroRetryAfterSeconds.toString());
        }
        return r;
    }

    private Response pollOperation(String id, boolean monitor) {
        Operation op = operations.get(id);
        if (op == null) {
            return error(404, "NotFound", "Operation " + id + " not found");
        }
        if (monitor) {
            return new Response(200, null);
        }
        ObjectNode status = JSON.createObjectNode();
        status.put("startTime", op.startTime.toString());
        if (op.remainingInProgress > 0) {
            op.remainingInProgress--;
            status.put("status", "InProgress");
            status.put("name", op.id);
            Response r = json(200, status);
            if (lroRetryAfterSeconds != null) {
                r.header("Retry-After", lroRetryAfterSeconds.toString());
            }
            return r;
        }
        if (!op.done) {
            op.done = true;
            op.onDone.run();
        }
        if (op.failureBody != null) {
            return new Response(200, op.failureBody);
        }
        status.put("endTime", op.startTime.plusSeconds(30).toString());
        status.put("status", op.finalStatus);
        status.put("name", op.id);
        return json(200, status);
    }

    // ------------------------------------------------------------------ bodies

    ObjectNode scaleSetJson(ScaleSet s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", s.name);
        o.put(
                "id",
                "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + RESOURCE_GROUP
                        + "/providers/Microsoft.Compute/virtualMachineScaleSets/" + s.name);
        o.put("type", "Microsoft.Compute/virtualMachineScaleSets");
        o.put("location", s.location);
        ObjectNode tags = o.putObject("tags");
        s.tags.forEach(tags::put);
        ObjectNode sku = o.putObject("sku");
        sku.put("name", s.skuName);
        sku.put("tier", "Standard");
        sku.put("capacity", s.capacity);
        o.put("etag", "\"" + s.etag + "\"");
        ObjectNode p = o.putObject("properties");
        p.put("singlePlacementGroup", false);
        p.putObject("upgradePolicy").put("mode", "Manual");
        JsonNode profile =
                s.createBody == null ? null : s.createBody.path("properties").path("virtualMachineProfile");
        if (profile != null && profile.isObject()) {
            ObjectNode copy = ((ObjectNode) profile).deepCopy();
            copy.with("osProfile").remove("customData"); // Azure never returns custom data
            p.set("virtualMachineProfile", copy);
        }
        p.put("provisioningState", s.provisioningState);
        p.put("overprovision", false);
        p.put("timeCreated", "2026-11-26T12:00:00.0000000+00:00");
        return o;
    }

    ObjectNode vmJson(ScaleSet s, Vm vm, boolean instanceView) {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", vm.name);
        o.put(
                "id",
                "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + RESOURCE_GROUP
                        + "/providers/Microsoft.Compute/virtualMachineScaleSets/" + s.name + "/virtualMachines/"
                        + vm.instanceId);
        o.put("type", "Microsoft.Compute/virtualMachineScaleSets/virtualMachines");
        o.put("location", s.location);
        o.put("instanceId", vm.instanceId);
        ObjectNode sku = o.putObject("sku");
        sku.put("name", s.skuName);
        sku.put("tier", "Standard");
        ObjectNode p = o.putObject("properties");
        p.put("latestModelApplied", true);
        p.put("provisioningState", vm.provisioningState);
        p.putObject("hardwareProfile").put("vmSize", s.skuName);
        p.put("vmId", String.format("00000000-0000-4000-9000-%012d", Integer.parseInt(vm.instanceId)));
        p.putObject("osProfile").put("computerName", s.name + String.format("%06x", Integer.parseInt(vm.instanceId)));
        p.put("timeCreated", vm.timeCreated.toString());
        if (instanceView) {
            ObjectNode iv = p.putObject("instanceView");
            iv.put("platformUpdateDomain", 0);
            iv.put("platformFaultDomain", 0);
            ArrayNode statuses = iv.putArray("statuses");
            String ps = vm.failureCode != null
                    ? "ProvisioningState/failed/" + vm.failureCode
                    : "ProvisioningState/" + vm.provisioningState.toLowerCase();
            ObjectNode st = statuses.addObject();
            st.put("code", ps);
            st.put("level", vm.failureCode != null ? "Error" : "Info");
            st.put(
                    "displayStatus",
                    vm.failureCode != null
                            ? "Provisioning failed"
                            : "Provisioning " + vm.provisioningState.toLowerCase());
            st.put("time", vm.timeCreated.toString());
            if (vm.powerState != null) {
                ObjectNode pw = statuses.addObject();
                pw.put("code", vm.powerState);
                pw.put("level", "Info");
                pw.put("displayStatus", "VM " + vm.powerState.substring("PowerState/".length()));
            }
        }
        o.put("etag", "\"" + vm.etag + "\"");
        return o;
    }

    private ObjectNode vmListJson(ScaleSet s, boolean instanceView) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode value = o.putArray("value");
        s.vms.values().forEach(vm -> value.add(vmJson(s, vm, instanceView)));
        return o;
    }

    // ------------------------------------------------------------------ helpers

    /** An Azure error body (CloudError wrapper). */
    static Response error(int status, String code, String message) {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode e = o.putObject("error");
        e.put("code", code);
        e.put("message", message);
        return json(status, o);
    }

    private static Response json(int status, JsonNode body) {
        try {
            return new Response(status, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode readTree(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int i = pair.indexOf('=');
            String k = URLDecoder.decode(i < 0 ? pair : pair.substring(0, i), StandardCharsets.UTF_8);
            String v = i < 0 ? "" : URLDecoder.decode(pair.substring(i + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }

    /** A file under src/test/resources/azure-arm/, e.g. {@code errors/sku-not-available-409.json}. */
    public static String resource(String relative) {
        try (InputStream in = FakeArmServer.class.getResourceAsStream("/azure-arm/" + relative)) {
            if (in == null) {
                throw new IllegalArgumentException("missing test resource azure-arm/" + relative);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode resourceJson(String relative) {
        return readTree(resource(relative));
    }
}
