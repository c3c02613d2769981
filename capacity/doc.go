// Package capacity finds the highest offered rate at which a service still
// meets an SLA: it steps the rate up to bracket the knee, then bisects
// inside the bracket, each step an open-model run judged by sla.Evaluate. A
// step the load generator could not deliver is never taken for the
// service's limit: the result then says the capacity is generator bound,
// only a lower bound.
package capacity
