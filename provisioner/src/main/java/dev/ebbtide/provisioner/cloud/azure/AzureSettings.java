package dev.ebbtide.provisioner.cloud.azure;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how Ebbtide keeps one VM scale set per cluster. Plain values, built from the {@code ebbtide.azure.*}
 * configuration keys (see docs/azure.md). {@link #toString()} never prints the custom data, which may hold secrets.
 *
 * @param subscriptionId   the subscription that holds the scale sets
 * @param tenantId         the Entra ID tenant; null lets DefaultAzureCredential pick it
 * @param resourceGroup    the resource group of the scale sets (must exist)
 * @param region           Azure region of new scale sets, e.g. {@code westeurope}; a cluster's own location wins
 * @param scaleSetPrefix   scale set name = prefix + cluster name, e.g. {@code ebbtide-gpu-cluster}
 * @param image            an image URN {@code publisher:offer:sku:version} or an image resource id ({@code /subscriptions/...})
 * @param subnetId         resource id of the subnet the nodes join
 * @param adminUsername    Linux admin user
 * @param sshPublicKey     the admin user's SSH public key (password login is disabled)
 * @param customData       cloud-init / shell script that starts the node agent on boot (sent base64-encoded; may be null)
 * @param nodeIdentityId   optional user-assigned managed identity given to every node (resource id), else null
 * @param osDiskType       managed disk type of the OS disk, e.g. {@code Standard_LRS}
 * @param endpoint         Resource Manager endpoint override (sovereign clouds, a fake); null = public Azure
 * @param pollInterval     wait between polls of a long-running operation when Azure sends no Retry-After
 */
public record AzureSettings(
        String subscriptionId,
        String tenantId,
        String resourceGroup,
        String region,
        String scaleSetPrefix,
        String image,
        String subnetId,
        String adminUsername,
        String sshPublicKey,
        String customData,
        String nodeIdentityId,
        String osDiskType,
        URI endpoint,
        Duration pollInterval) {

    public static final String DEFAULT_PREFIX = "ebbtide-";
    public static final String DEFAULT_IMAGE = "Canonical:ubuntu-24_04-lts:server:latest";
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(10);

    public AzureSettings {
        Objects.requireNonNull(subscriptionId, "ebbtide.azure.subscription-id is required");
        Objects.requireNonNull(resourceGroup, "ebbtide.azure.resource-group is required");
        scaleSetPrefix = scaleSetPrefix == null ? DEFAULT_PREFIX : scaleSetPrefix;
        image = image == null ? DEFAULT_IMAGE : image;
        adminUsername = adminUsername == null ? "ebbtide" : adminUsername;
        osDiskType = osDiskType == null ? "Standard_LRS" : osDiskType;
        pollInterval = pollInterval == null ? DEFAULT_POLL_INTERVAL : pollInterval;
    }

    /** Settings with only the required values; the rest take their defaults. */
    public static AzureSettings of(String subscriptionId, String resourceGroup, String region, String subnetId) {
        return new AzureSettings(
                subscriptionId,
                null,
                resourceGroup,
                region,
                null,
                null,
                subnetId,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    public AzureSettings withEndpoint(URI newEndpoint) {
        return new AzureSettings(
                subscriptionId,
                tenantId,
                resourceGroup,
                region,
                scaleSetPrefix,
                image,
                subnetId,
                adminUsername,
                sshPublicKey,
                customData,
                nodeIdentityId,
                osDiskType,
                newEndpoint,
                pollInterval);
    }

    public AzureSettings withPollInterval(Duration newPollInterval) {
        return new AzureSettings(
                subscriptionId,
                tenantId,
                resourceGroup,
                region,
                scaleSetPrefix,
                image,
                subnetId,
                adminUsername,
                sshPublicKey,
                customData,
                nodeIdentityId,
                osDiskType,
                endpoint,
                newPollInterval);
    }

    public AzureSettings withNodeSetup(
            String newAdminUsername, String newSshPublicKey, String newCustomData, String newNodeIdentityId) {
        return new AzureSettings(
                subscriptionId,
                tenantId,
                resourceGroup,
                region,
                scaleSetPrefix,
                image,
                subnetId,
                newAdminUsername,
                newSshPublicKey,
                newCustomData,
                newNodeIdentityId,
                osDiskType,
                endpoint,
                pollInterval);
    }

    /** The scale set that holds a cluster's nodes. */
    public String scaleSetName(String cluster) {
        return scaleSetPrefix + cluster;
    }

    @Override
    public String toString() {
        return "AzureSettings[subscriptionId=" + subscriptionId + ", tenantId=" + tenantId + ", resourceGroup="
                + resourceGroup + ", region=" + region + ", scaleSetPrefix=" + scaleSetPrefix + ", image=" + image
                + ", subnetId=" + subnetId + ", adminUsername=" + adminUsername + ", sshPublicKey="
                + (sshPublicKey == null ? "none" : "set") + ", customData="
                + (customData == null ? "none" : "(" + customData.length() + " chars, not shown)")
                + ", nodeIdentityId=" + nodeIdentityId + ", osDiskType=" + osDiskType + ", endpoint=" + endpoint
                + ", pollInterval=" + pollInterval + "]";
    }
}
