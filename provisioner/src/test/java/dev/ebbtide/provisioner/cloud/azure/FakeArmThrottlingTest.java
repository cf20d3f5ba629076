package dev.ebbtide.provisioner.cloud.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.util.Context;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.models.Sku;
import com.azure.resourcemanager.compute.models.VirtualMachineScaleSetUpdate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.devsupport.MutableClock;
import dev.ebbtide.provisioner.cloud.CloudException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fake ARM server throttles as ARM does (a per-subscription write bucket), seen through the real SDK client: the
 * remaining-writes header on every write, a 429 with {@code Retry-After} and ARM's error body when the bucket is
 * empty, the bucket refilled with time; and nothing of it when throttling is off.
 */
class FakeArmThrottlingTest {

    static final String VMSS_PATH = "subscriptions/" + FakeArmServer.SUBSCRIPTION + "/resourceGroups/"
            + FakeArmServer.RESOURCE_GROUP + "/providers/Microsoft.Compute/virtualMachineScaleSets/ebbtide-gpu";

    final FakeArmServer fake = new FakeArmServer();
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-08T03:00:00Z"));
    ComputeManager compute;

    @BeforeEach
    void start() {
        fake.clock = clock;
        fake.givenScaleSet("ebbtide-gpu", "Standard_NC6s_v3", false);
        compute = FakeArmClients.computeManager(fake, FakeArmClients.settings(fake));
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    HttpResponse send(HttpMethod method, String body) {
        HttpRequest request =
                new HttpRequest(method, fake.endpoint() + VMSS_PATH + "?api-version=" + FakeArmServer.API_VERSION);
        if (body != null) {
            request.setHeader(com.azure.core.http.HttpHeaderName.CONTENT_TYPE, "application/json");
            request.setBody(body);
        }
        return compute.serviceClient().getHttpPipeline().sendSync(request, Context.NONE);
    }

    static final String PATCH_BODY = "{\"sku\":{\"capacity\":1}}";

    @Test
    void everyWriteSaysWhatRemainsAndAnEmptyBucketAnswers429WithRetryAfter() throws Exception {
        fake.throttleWrites(2, 0.5);

        HttpResponse first = send(HttpMethod.PATCH, PATCH_BODY);
        HttpResponse second = send(HttpMethod.PATCH, PATCH_BODY);
        HttpResponse third = send(HttpMethod.PATCH, PATCH_BODY);

        assertEquals(200, first.getStatusCode());
        assertEquals("1", first.getHeaderValue("x-ms-ratelimit-remaining-subscription-writes"));
        assertEquals("0", second.getHeaderValue("x-ms-ratelimit-remaining-subscription-writes"));
        assertEquals(429, third.getStatusCode());
        assertEquals("2", third.getHeaderValue("Retry-After"), "a token comes back in 1 / 0.5 s");
        JsonNode error = new ObjectMapper().readTree(third.getBodyAsBinaryData().toString());
        assertEquals(
                "SubscriptionRequestsThrottled",
                error.path("error").path("code").asText());
        assertTrue(
                error.path("error").path("message").asText().contains("Please try again after '2' seconds"),
                error.toString());
        assertEquals(1, fake.throttled());
        assertEquals(2, fake.writesAccepted());

        HttpResponse read = send(HttpMethod.GET, null);
        assertEquals(200, read.getStatusCode(), "reads have their own bucket, not throttled here");
        assertNull(read.getHeaderValue("x-ms-ratelimit-remaining-subscription-writes"));

        clock.advance(Duration.ofMillis(1900));
        assertEquals(429, send(HttpMethod.PATCH, PATCH_BODY).getStatusCode(), "not yet a whole token");
        clock.advance(Duration.ofMillis(100));
        HttpResponse refilled = send(HttpMethod.PATCH, PATCH_BODY);
        assertEquals(200, refilled.getStatusCode(), "one token after 2 s");
        assertEquals("0", refilled.getHeaderValue("x-ms-ratelimit-remaining-subscription-writes"));
    }

    @Test
    void theSdksThrottledPatchBecomesAThrottledErrorWithTheRetryAfter() {
        fake.throttleWrites(1, 0.1);
        var scaleSets = compute.serviceClient().getVirtualMachineScaleSets();
        VirtualMachineScaleSetUpdate update = new VirtualMachineScaleSetUpdate().withSku(new Sku().withCapacity(2L));
        AzureVmssNodePool.finish(
                scaleSets.beginUpdate(FakeArmServer.RESOURCE_GROUP, "ebbtide-gpu", update, null, null, Context.NONE),
                Duration.ofMillis(10),
                "scale up");

        ManagementException e = assertThrows(
                ManagementException.class,
                () -> scaleSets.beginUpdate(
                        FakeArmServer.RESOURCE_GROUP, "ebbtide-gpu", update, null, null, Context.NONE));
        CloudException ce = AzureTranslation.toCloudException("scale up ebbtide-gpu", e);

        assertEquals(429, e.getResponse().getStatusCode());
        assertEquals(ErrorClass.THROTTLED, ce.errorClass());
        assertEquals(Duration.ofSeconds(10), ce.retryAfter());
        assertTrue(ce.getMessage().contains("SubscriptionRequestsThrottled"), ce.getMessage());
        assertEquals(2, fake.scaleSet("ebbtide-gpu").capacity(), "the throttled PATCH changed nothing");
    }

    @Test
    void readsAreThrottledByTheirOwnBucketWhenAsked() {
        fake.throttleReads(1, 25);

        HttpResponse first = send(HttpMethod.GET, null);
        HttpResponse second = send(HttpMethod.GET, null);

        assertEquals("0", first.getHeaderValue("x-ms-ratelimit-remaining-subscription-reads"));
        assertEquals(429, second.getStatusCode());
        assertEquals("1", second.getHeaderValue("Retry-After"), "ARM rounds up to whole seconds");
        assertEquals(200, send(HttpMethod.PATCH, PATCH_BODY).getStatusCode(), "writes are not throttled");
    }

    @Test
    void withoutThrottlingNothingChanges() {
        for (int i = 0; i < 300; i++) {
            HttpResponse r = send(HttpMethod.PATCH, PATCH_BODY);
            assertEquals(200, r.getStatusCode());
            assertNull(r.getHeaderValue("x-ms-ratelimit-remaining-subscription-writes"));
        }
        assertEquals(0, fake.throttled());
    }
}
