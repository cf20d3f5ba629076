/**
 * What a job runs besides its command, as carried on {@link dev.ebbtide.common.events.JobSpec}: its code snapshot,
 * inputs, outputs and environment. Values only; resolving and staging them is the node agent's run plan.
 */
package dev.ebbtide.common.job;
