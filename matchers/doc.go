// Package matchers asserts SLAs in tests: Gomega matchers (MeetSLA and one
// Have… matcher per figure, composing with BeNumerically, And and Not) and
// testify-style assertions (AssertSLA, RequireSLA) over sla.Evaluate, whose
// failure messages explain the failure from a CI log alone.
package matchers
