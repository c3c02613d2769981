// Package capacity finds the highest offered rate at which a service still
// meets an SLA: it steps the rate up to bracket the knee, then bisects
// inside the bracket, each step an open-model run judged by sla.Evaluate. A
// step the load could not be delivered at — the generator saturated, or
// the in-flight bound filled before the service's own figures broke a
// budget — is never taken for the service's limit: the result is then
// GeneratorBound, a lower bound, and says which of the two held it back.
package capacity
