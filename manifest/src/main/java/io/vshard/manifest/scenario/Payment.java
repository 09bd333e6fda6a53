package io.vshard.manifest.scenario;

import io.vshard.manifest.window.WindowId;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A generated payment (a ledger row).
 *
 * @param paymentId the payment id, unique in the dataset
 * @param creatorId the creator it belongs to
 * @param region the creator's region
 * @param amount the amount, scale 2
 * @param currency an ISO currency code
 * @param createdAt when it happened
 * @param window the ISO week of {@code createdAt}
 * @param eventId the idempotency key within (tenant, window)
 */
public record Payment(
        long paymentId,
        long creatorId,
        String region,
        BigDecimal amount,
        String currency,
        Instant createdAt,
        WindowId window,
        long eventId) {}
