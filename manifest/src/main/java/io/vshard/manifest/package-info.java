/** The pure model of vshard: shard functions, manifests, windows, cohort plans and digests. */
package io.vshard.manifest;
