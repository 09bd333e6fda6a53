package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import io.vshard.engine.DirectRoute;
import java.util.List;

/**
 * A unit the direct path takes ({@link PgDirectPath}): its messages, the Parses among them, and where it runs. A unit
 * read undecoded carries the client's bytes as {@code raw} (owned by the caller) and the name of its statement.
 */
record DirectUnit(
        List<FrontendMessage> messages,
        List<FrontendMessage.Parse> parses,
        FrontendMessage.Query query,
        FrontendMessage.Bind bind,
        PgStatement statement,
        boolean describe,
        DirectRoute route,
        BackendAddress address,
        ByteBuf raw,
        String statementName) {

    /** A unit of decoded messages. */
    DirectUnit(
            List<FrontendMessage> messages,
            List<FrontendMessage.Parse> parses,
            FrontendMessage.Query query,
            FrontendMessage.Bind bind,
            PgStatement statement,
            boolean describe,
            DirectRoute route,
            BackendAddress address) {
        this(
                messages,
                parses,
                query,
                bind,
                statement,
                describe,
                route,
                address,
                null,
                bind == null ? null : bind.statement());
    }
}
