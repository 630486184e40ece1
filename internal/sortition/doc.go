// Package sortition holds the pure algorithms of choosing by lot: a
// deterministic random stream from a published seed, the uniform draw of k
// members, and the stratified draw with quotas (LEXIMIN, after Flanigan,
// Gölz, Gupta, Hennig and Procaccia, "Fair algorithms for selecting
// citizens' assemblies", Nature 2021), with the older greedy method kept for
// comparison.
//
// Everything here is a function of its arguments: no I/O, no clock, no
// randomness but the seed passed in, and no dependence on map iteration
// order. docs/sortition.md specifies every algorithm precisely enough for an
// independent verifier.
package sortition
