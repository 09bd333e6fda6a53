package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection phase, as a state machine on the event loop: send HandshakeV10, read the response,
 * switch plugins when the client guessed another one, verify the password (native, caching_sha2 fast
 * path, or the caching_sha2 full path over the server's RSA key), then open the backend connection on the
 * JDBC executor and hand the channel over to a {@link CommandHandler}. Any failure ends in ERR and close.
 */
final class AuthenticationHandler extends SimpleChannelInboundHandler<MySqlPacket> {
    private static final Logger LOG = LoggerFactory.getLogger(AuthenticationHandler.class);
    private static final byte AUTH_MORE_DATA = 0x01;
    private static final byte FAST_AUTH_SUCCESS = 0x03;
    private static final byte PERFORM_FULL_AUTH = 0x04;
    private static final byte REQUEST_PUBLIC_KEY = 0x02;

    private enum State {
        AWAIT_RESPONSE,
        AWAIT_SWITCHED_RESPONSE,
        AWAIT_FULL_AUTH,
        OPENING_BACKEND,
        DONE
    }

    private final ServerResources resources;
    private final WritabilityGate gate;
    private final byte[] nonce = InitialHandshake.nonce();
    private State state = State.AWAIT_RESPONSE;
    private ResponseWriter writer;
    private HandshakeResponse response;
    private MySqlUser user;

    AuthenticationHandler(ServerResources resources, WritabilityGate gate) {
        this.resources = resources;
        this.gate = gate;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        writer = new ResponseWriter(ctx.channel(), gate);
        writer.startAfter(-1);
        ByteBuf out = ctx.alloc().buffer();
        int connectionId = resources.connectionIds().incrementAndGet();
        InitialHandshake.encode(out, resources.config().serverVersion(), connectionId, nonce, defaultPlugin());
        writer.write(out);
        writer.flush();
        ctx.read();
        ctx.fireChannelActive();
    }

    private AuthPlugin defaultPlugin() {
        return AuthPlugin.MYSQL_NATIVE_PASSWORD;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, MySqlPacket packet) {
        writer.startAfter(packet.sequenceId());
        ByteBuf in = packet.content();
        switch (state) {
            case AWAIT_RESPONSE -> onHandshakeResponse(ctx, in);
            case AWAIT_SWITCHED_RESPONSE -> verify(ctx, ByteBufUtil.getBytes(in));
            case AWAIT_FULL_AUTH -> onFullAuth(ctx, ByteBufUtil.getBytes(in));
            default -> throw new MalformedPacketException("unexpected packet during authentication");
        }
    }

    private void onHandshakeResponse(ChannelHandlerContext ctx, ByteBuf in) {
        response = HandshakeResponse.parse(in);
        writer.capabilities(response.capabilities() & Capabilities.SERVER);
        Optional<MySqlUser> configured = resources.config().user(response.user());
        if (configured.isEmpty()) {
            deny(ctx, response.authResponse().length > 0);
            return;
        }
        user = configured.get();
        String used = response.plugin().isEmpty() ? defaultPlugin().wireName() : response.plugin();
        if (!used.equals(user.plugin().wireName())) {
            ByteBuf out = ctx.alloc().buffer();
            out.writeByte(0xFE);
            WireFormat.writeNulString(out, user.plugin().wireName());
            out.writeBytes(nonce);
            out.writeByte(0);
            state = State.AWAIT_SWITCHED_RESPONSE;
            respondThenRead(ctx, out);
            return;
        }
        verify(ctx, response.authResponse());
    }

    private void verify(ChannelHandlerContext ctx, byte[] auth) {
        byte[] given = stripTrailingNul(auth);
        if (user.plugin() == AuthPlugin.MYSQL_NATIVE_PASSWORD) {
            boolean ok = PasswordScrambles.nativeMatches(user.nativeHash(), nonce, given);
            finish(ctx, ok, given.length > 0);
            return;
        }
        if (user.password().isEmpty()) {
            finish(ctx, given.length == 0, given.length > 0);
            return;
        }
        if (resources.sha2Cache().contains(user.name())) {
            boolean ok = PasswordScrambles.matches(PasswordScrambles.cachingSha2(user.password(), nonce), given);
            if (ok) {
                writer.write(ctx.alloc().buffer(2).writeByte(AUTH_MORE_DATA).writeByte(FAST_AUTH_SUCCESS));
            }
            finish(ctx, ok, true);
            return;
        }
        state = State.AWAIT_FULL_AUTH;
        respondThenRead(ctx, ctx.alloc().buffer(2).writeByte(AUTH_MORE_DATA).writeByte(PERFORM_FULL_AUTH));
    }

    private void onFullAuth(ChannelHandlerContext ctx, byte[] data) {
        if (data.length == 1 && data[0] == REQUEST_PUBLIC_KEY) {
            ByteBuf out = ctx.alloc().buffer();
            out.writeByte(AUTH_MORE_DATA);
            out.writeBytes(resources.rsaKeys().publicKeyPem());
            respondThenRead(ctx, out);
            return;
        }
        boolean ok;
        try {
            String password = resources.rsaKeys().decryptPassword(data, nonce);
            ok = PasswordScrambles.matches(
                    password.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    user.password().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (ok) {
            resources.sha2Cache().add(user.name());
        }
        finish(ctx, ok, true);
    }

    private void finish(ChannelHandlerContext ctx, boolean ok, boolean usedPassword) {
        if (!ok) {
            deny(ctx, usedPassword);
            return;
        }
        state = State.OPENING_BACKEND;
        String name = user.name();
        String database = response.database();
        try {
            resources.jdbcExecutor().execute(() -> openBackend(ctx, name, database));
        } catch (RejectedExecutionException e) {
            writer.error(ErrorCodes.TOO_MANY_CONNECTIONS, "08004", "Too many connections");
            writer.flush().addListener(f -> ctx.close());
        }
    }

    private void openBackend(ChannelHandlerContext ctx, String name, String database) {
        Connection connection;
        try {
            connection = resources.config().backend().open(name, database);
        } catch (SQLException e) {
            LOG.debug("backend connection for user {} failed: {}", name, e.getSQLState());
            ErrorCodes.write(writer, e);
            writer.flush().addListener(f -> ctx.close());
            return;
        } catch (RuntimeException e) {
            LOG.warn("backend connection for user {} failed", name, e);
            writer.error(ErrorCodes.UNKNOWN_ERROR, "08001", "backend unavailable");
            writer.flush().addListener(f -> ctx.close());
            return;
        }
        MySqlSession session = new MySqlSession(resources, connection, writer, name, database);
        ctx.executor().execute(() -> handOver(ctx, session));
    }

    private void handOver(ChannelHandlerContext ctx, MySqlSession session) {
        if (!ctx.channel().isActive()) {
            session.closeQuietly();
            return;
        }
        state = State.DONE;
        ReadRelay relay = resources.config().relayReads() && resources.config().backend() instanceof EngineBackend e
                ? new ReadRelay(e.engine(), resources.links(), resources.relayCounts())
                : null;
        ctx.pipeline().replace(this, "command", new CommandHandler(resources, session, gate, relay));
        session.sendOk();
        writer.flush().addListener(f -> {
            if (f.isSuccess()) {
                ctx.channel().read();
            }
        });
    }

    private void deny(ChannelHandlerContext ctx, boolean usedPassword) {
        String name = response == null ? "" : response.user();
        LOG.debug("access denied for user {}", name);
        writer.error(
                ErrorCodes.ACCESS_DENIED,
                "28000",
                "Access denied for user '" + name + "'@'" + remoteHost(ctx) + "' (using password: "
                        + (usedPassword ? "YES" : "NO") + ")");
        writer.flush().addListener(f -> ctx.close());
    }

    private static String remoteHost(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress address) {
            return address.getHostString();
        }
        return "localhost";
    }

    private void respondThenRead(ChannelHandlerContext ctx, ByteBuf out) {
        writer.write(out);
        writer.flush().addListener(f -> {
            if (f.isSuccess()) {
                ctx.read();
            }
        });
    }

    private static byte[] stripTrailingNul(byte[] auth) {
        if (auth.length == 1 && auth[0] == 0) {
            return new byte[0];
        }
        return auth.length == 21 && auth[20] == 0 ? Arrays.copyOf(auth, 20) : auth;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionErrors.handle(ctx, writer, cause, LOG);
    }
}
