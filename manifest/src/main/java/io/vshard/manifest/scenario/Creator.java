package io.vshard.manifest.scenario;

/**
 * A generated creator.
 *
 * @param index the creator's position in the dataset, 0-based
 * @param id the creator id
 * @param region the region code
 */
public record Creator(long index, long id, String region) {}
