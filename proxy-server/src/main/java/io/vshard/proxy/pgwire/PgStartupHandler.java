package io.vshard.proxy.pgwire;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The startup phase of a connection: encryption requests (declined), CancelRequest, StartupMessage and
 * authentication (SCRAM-SHA-256, md5, cleartext or trust). When the client is authenticated and the backend
 * connection is open, it sends AuthenticationOk, ParameterStatus, BackendKeyData and ReadyForQuery and replaces
 * itself with a {@link PgQueryHandler}. Runs on the channel's event loop; opening the backend runs on a worker.
 */
final class PgStartupHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(PgStartupHandler.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum Phase {
        STARTUP,
        PASSWORD,
        SASL_INITIAL,
        SASL_FINAL,
        CONNECTING
    }

    private final PgProxyServer.Shared shared;
    private Phase phase = Phase.STARTUP;
    private boolean tlsStarted;
    private Map<String, String> parameters;
    private String user;
    private ScramExchange scram;
    private byte[] md5Salt;
    /** Messages a client pipelined behind its startup while the backend connection was being opened. */
    private final List<FrontendMessage> early = new ArrayList<>();

    PgStartupHandler(PgProxyServer.Shared shared) {
        this.shared = shared;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.CONNECTING) {
            early.add((FrontendMessage) msg);
        } else if (msg instanceof FrontendMessage.SslRequest && shared.tls() != null && !tlsStarted) {
            tlsStarted = true;
            ctx.writeAndFlush(new BackendMessage.EncryptionResponse((byte) 'S')).addListener(future -> {
                if (future.isSuccess()) {
                    // The handshake starts with the client's next bytes, so TLS must sit first before reading on.
                    ctx.pipeline().addFirst("tls", shared.tls().newHandler(ctx.alloc()));
                    ctx.read();
                } else {
                    ctx.close();
                }
            });
        } else if (msg instanceof FrontendMessage.SslRequest || msg instanceof FrontendMessage.GssEncRequest) {
            ctx.writeAndFlush(new BackendMessage.EncryptionResponse((byte) 'N')).addListener(readNext(ctx));
        } else if (msg instanceof FrontendMessage.CancelRequest cancel) {
            shared.stats().cancelRequested();
            shared.cancels().cancel(cancel.processId(), cancel.secretKey());
            ctx.close();
        } else if (msg instanceof FrontendMessage.Startup startup && phase == Phase.STARTUP) {
            startup(ctx, startup);
        } else if (msg instanceof FrontendMessage.PasswordMessage password) {
            password(ctx, password.body());
        } else {
            fatal(ctx, PgProtocolException.PROTOCOL_VIOLATION, "unexpected message during startup");
        }
    }

    private void startup(ChannelHandlerContext ctx, FrontendMessage.Startup startup) {
        parameters = startup.parameters();
        user = parameters.get("user");
        if (user == null || user.isEmpty()) {
            fatal(ctx, "28000", "no PostgreSQL user name specified in startup packet");
            return;
        }
        switch (shared.config().authMethod()) {
            case TRUST -> connect(ctx);
            case CLEARTEXT -> request(ctx, Phase.PASSWORD, BackendMessage.Authentication.CLEARTEXT, new byte[0]);
            case MD5 -> {
                md5Salt = new byte[4];
                RANDOM.nextBytes(md5Salt);
                request(ctx, Phase.PASSWORD, BackendMessage.Authentication.MD5, md5Salt);
            }
            default ->
                request(
                        ctx,
                        Phase.SASL_INITIAL,
                        BackendMessage.Authentication.SASL,
                        "SCRAM-SHA-256\0\0".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private void request(ChannelHandlerContext ctx, Phase next, int code, byte[] data) {
        phase = next;
        ctx.writeAndFlush(new BackendMessage.Authentication(code, data)).addListener(readNext(ctx));
    }

    private void password(ChannelHandlerContext ctx, byte[] body) {
        PgUser known = shared.config().users().get(user);
        try {
            switch (phase) {
                case SASL_INITIAL -> saslInitial(ctx, body, known);
                case SASL_FINAL -> saslFinal(ctx, body);
                case PASSWORD -> {
                    String password = new String(body, 0, Math.max(0, body.length - 1), StandardCharsets.UTF_8);
                    if (known != null && passwordMatches(known, password)) {
                        connect(ctx);
                    } else {
                        authenticationFailed(ctx);
                    }
                }
                default -> fatal(ctx, PgProtocolException.PROTOCOL_VIOLATION, "unexpected password message");
            }
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            fatal(ctx, PgProtocolException.PROTOCOL_VIOLATION, "malformed SASL message: " + e.getMessage());
        }
    }

    private void saslInitial(ChannelHandlerContext ctx, byte[] body, PgUser known) {
        int end = indexOfZero(body);
        String mechanism = new String(body, 0, end, StandardCharsets.US_ASCII);
        if (!"SCRAM-SHA-256".equals(mechanism)) {
            fatal(ctx, "28000", "SASL authentication mechanism " + mechanism + " is not supported");
            return;
        }
        ByteBuffer rest = ByteBuffer.wrap(body, end + 1, body.length - end - 1);
        int length = rest.getInt();
        if (length != rest.remaining()) {
            throw new IllegalArgumentException("bad SASL data length");
        }
        scram = new ScramExchange(known == null ? null : known.scram());
        String serverFirst = scram.clientFirst(new String(body, rest.position(), length, StandardCharsets.UTF_8));
        request(
                ctx,
                Phase.SASL_FINAL,
                BackendMessage.Authentication.SASL_CONTINUE,
                serverFirst.getBytes(StandardCharsets.UTF_8));
    }

    private void saslFinal(ChannelHandlerContext ctx, byte[] body) {
        Optional<String> serverFinal = scram.clientFinal(new String(body, StandardCharsets.UTF_8));
        if (serverFinal.isEmpty()) {
            authenticationFailed(ctx);
            return;
        }
        ctx.write(new BackendMessage.Authentication(
                BackendMessage.Authentication.SASL_FINAL, serverFinal.get().getBytes(StandardCharsets.UTF_8)));
        connect(ctx);
    }

    private boolean passwordMatches(PgUser known, String password) {
        if (shared.config().authMethod() == PgAuthMethod.CLEARTEXT) {
            return known.scram() != null && known.scram().matches(password);
        }
        if (known.md5Hash() == null || !known.md5Hash().startsWith("md5")) {
            return false;
        }
        byte[] inner = known.md5Hash().substring(3).getBytes(StandardCharsets.US_ASCII);
        byte[] salted = Arrays.copyOf(inner, inner.length + 4);
        System.arraycopy(md5Salt, 0, salted, inner.length, 4);
        String expected = "md5" + PgUser.md5Hex(salted);
        return MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), password.getBytes(StandardCharsets.US_ASCII));
    }

    private void authenticationFailed(ChannelHandlerContext ctx) {
        LOG.info("pgwire: password authentication failed for user {}", user);
        shared.stats().authenticationFailed();
        fatal(ctx, "28P01", "password authentication failed for user \"" + user + "\"");
    }

    private void connect(ChannelHandlerContext ctx) {
        phase = Phase.CONNECTING;
        String database = parameters.getOrDefault("database", user);
        try {
            shared.workers().execute(() -> {
                try {
                    Connection connection = shared.connector().open(user, database);
                    try {
                        ctx.executor().execute(() -> established(ctx, connection));
                    } catch (RejectedExecutionException e) {
                        shared.closeLater(connection);
                    }
                } catch (SQLException e) {
                    ctx.channel()
                            .writeAndFlush(PgErrors.fromSqlException(e, 0))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            });
        } catch (RejectedExecutionException e) {
            fatal(ctx, "53300", "sorry, too many clients already");
        }
    }

    private void established(ChannelHandlerContext ctx, Connection connection) {
        if (!ctx.channel().isActive()) {
            shared.closeLater(connection);
            return;
        }
        PgQueryHandler query = new PgQueryHandler(shared, ctx.channel(), connection);
        BackendMessage.BackendKeyData key = shared.cancels().register(query::cancel);
        query.processId(key.processId());
        ctx.write(new BackendMessage.Authentication(BackendMessage.Authentication.OK, new byte[0]));
        status(ctx, "server_version", shared.config().serverVersion());
        status(ctx, "server_encoding", "UTF8");
        status(ctx, "client_encoding", "UTF8");
        status(ctx, "DateStyle", "ISO, MDY");
        status(ctx, "IntervalStyle", "postgres");
        status(ctx, "integer_datetimes", "on");
        status(ctx, "standard_conforming_strings", "on");
        status(ctx, "TimeZone", "UTC");
        status(ctx, "is_superuser", "off");
        status(ctx, "session_authorization", user);
        status(ctx, "application_name", parameters.getOrDefault("application_name", ""));
        ctx.write(key);
        ctx.write(new BackendMessage.ReadyForQuery((byte) 'I'));
        if (ctx.pipeline().get("pg-decoder") instanceof PgFrontendDecoder decoder && query.direct()) {
            ctx.pipeline().addBefore("pg-decoder", "pg-raw", new PgRawLane(decoder, query));
        }
        ctx.pipeline().replace(this, "pg-query", query);
        query.start(early);
    }

    private static void status(ChannelHandlerContext ctx, String name, String value) {
        ctx.write(new BackendMessage.ParameterStatus(name, value));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && phase != Phase.CONNECTING) {
            fatal(ctx, "08P01", "timeout while authenticating");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        PgQueryHandler.failConnection(ctx, cause, shared.stats());
    }

    private static void fatal(ChannelHandlerContext ctx, String sqlState, String message) {
        ctx.writeAndFlush(PgErrors.error("FATAL", sqlState, message)).addListener(ChannelFutureListener.CLOSE);
    }

    private static ChannelFutureListener readNext(ChannelHandlerContext ctx) {
        return future -> {
            if (future.isSuccess()) {
                ctx.read();
            } else {
                ctx.close();
            }
        };
    }

    private static int indexOfZero(byte[] body) {
        for (int i = 0; i < body.length; i++) {
            if (body[i] == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("missing mechanism name");
    }
}
