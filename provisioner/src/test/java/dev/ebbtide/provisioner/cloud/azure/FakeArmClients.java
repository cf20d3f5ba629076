package dev.ebbtide.provisioner.cloud.azure;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;
import java.time.Duration;

/** Builds SDK clients that talk plain http to a {@link FakeArmServer} (the bearer-token policy refuses http). */
public final class FakeArmClients {

    static {
        // LRO polling at 10 ms instead of Azure's 30 s default.
        ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(d -> Duration.ofMillis(10));
    }

    private FakeArmClients() {}

    public static AzureSettings settings(FakeArmServer fake) {
        return AzureSettings.of(
                        FakeArmServer.SUBSCRIPTION,
                        FakeArmServer.RESOURCE_GROUP,
                        FakeArmServer.LOCATION,
                        "/subscriptions/" + FakeArmServer.SUBSCRIPTION + "/resourceGroups/"
                                + FakeArmServer.RESOURCE_GROUP
                                + "/providers/Microsoft.Network/virtualNetworks/ebbtide-vnet/subnets/nodes")
                .withEndpoint(fake.endpoint())
                .withPollInterval(Duration.ofMillis(10));
    }

    public static ComputeManager computeManager(FakeArmServer fake, AzureSettings settings) {
        return computeManager(fake, settings, null);
    }

    /** With {@code limiter}: every write waits its turn in it and feeds it back ({@link ArmThrottlePolicy}). */
    public static ComputeManager computeManager(FakeArmServer fake, AzureSettings settings, ArmWriteLimiter limiter) {
        HttpPipelinePolicy bearer = new HttpPipelinePolicy() {
            @Override
            public reactor.core.publisher.Mono<com.azure.core.http.HttpResponse> process(
                    com.azure.core.http.HttpPipelineCallContext context,
                    com.azure.core.http.HttpPipelineNextPolicy next) {
                context.getHttpRequest().setHeader(HttpHeaderName.AUTHORIZATION, "Bearer fake-token");
                return next.process();
            }

            @Override
            public com.azure.core.http.HttpResponse processSync(
                    com.azure.core.http.HttpPipelineCallContext context,
                    com.azure.core.http.HttpPipelineNextSyncPolicy next) {
                context.getHttpRequest().setHeader(HttpHeaderName.AUTHORIZATION, "Bearer fake-token");
                return next.processSync();
            }
        };
        HttpPipeline pipeline = limiter == null
                ? new HttpPipelineBuilder().policies(bearer).build()
                : new HttpPipelineBuilder()
                        .policies(bearer, new ArmThrottlePolicy(limiter))
                        .build();
        AzureProfile profile = new AzureProfile(
                "00000000-0000-0000-0000-0000000000bb",
                settings.subscriptionId(),
                AzureVmssProvider.environment(settings));
        return ComputeManager.authenticate(pipeline, profile);
    }

    public static AzureVmssProvider provider(FakeArmServer fake) {
        return provider(fake, null);
    }

    public static AzureVmssProvider provider(FakeArmServer fake, ArmWriteLimiter limiter) {
        AzureSettings settings = settings(fake);
        return new AzureVmssProvider(computeManager(fake, settings, limiter), settings, limiter);
    }
}
