/**
 * Online endpoints as Azure ML's CLI v2 writes them ({@code managedOnlineEndpoint}, {@code managedOnlineDeployment}):
 * the records a parsed document becomes ({@code dev.ebbtide.common.azureml.AzureMlYaml#parseOnlineEndpoint},
 * {@code #parseOnlineDeployment}). Values only; docs/endpoints.md says what is served today.
 */
package dev.ebbtide.common.endpoint;
