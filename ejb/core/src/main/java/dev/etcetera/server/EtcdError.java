package dev.etcetera.server;

/**
 * Every error etcd returns to clients, with its gRPC code and exact message (clientv3 maps errors
 * by message, so the text is part of the contract). Source: etcd {@code api/v3rpc/rpctypes/error.go}
 * as summarised in {@code ../shared/reference/etcd-api.md} section 1.5.
 */
public enum EtcdError {
    // InvalidArgument
    EMPTY_KEY(StatusCode.INVALID_ARGUMENT, "etcdserver: key is not provided"),
    KEY_NOT_FOUND(StatusCode.INVALID_ARGUMENT, "etcdserver: key not found"),
    VALUE_PROVIDED(StatusCode.INVALID_ARGUMENT, "etcdserver: value is provided"),
    LEASE_PROVIDED(StatusCode.INVALID_ARGUMENT, "etcdserver: lease is provided"),
    TOO_MANY_OPS(StatusCode.INVALID_ARGUMENT, "etcdserver: too many operations in txn request"),
    DUPLICATE_KEY(StatusCode.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request"),
    INVALID_SORT_OPTION(StatusCode.INVALID_ARGUMENT, "etcdserver: invalid sort option"),
    REQUEST_TOO_LARGE(StatusCode.INVALID_ARGUMENT, "etcdserver: request is too large"),
    MEMBER_BAD_URLS(StatusCode.INVALID_ARGUMENT, "etcdserver: given member URLs are invalid"),
    USER_EMPTY(StatusCode.INVALID_ARGUMENT, "etcdserver: user name is empty"),
    ROLE_EMPTY(StatusCode.INVALID_ARGUMENT, "etcdserver: role name is empty"),
    AUTH_FAILED(StatusCode.INVALID_ARGUMENT, "etcdserver: authentication failed, invalid user ID or password"),
    PERMISSION_NOT_GIVEN(StatusCode.INVALID_ARGUMENT, "etcdserver: permission not given"),
    INVALID_AUTH_MGMT(StatusCode.INVALID_ARGUMENT, "etcdserver: invalid auth management"),
    AUTH_OLD_REVISION(StatusCode.INVALID_ARGUMENT, "etcdserver: revision of auth store is old"),
    // OutOfRange
    COMPACTED(StatusCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"),
    FUTURE_REV(StatusCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision"),
    LEASE_TTL_TOO_LARGE(StatusCode.OUT_OF_RANGE, "etcdserver: too large lease TTL"),
    // ResourceExhausted
    NO_SPACE(StatusCode.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded"),
    TOO_MANY_REQUESTS(StatusCode.RESOURCE_EXHAUSTED, "etcdserver: too many requests"),
    // NotFound
    LEASE_NOT_FOUND(StatusCode.NOT_FOUND, "etcdserver: requested lease not found"),
    MEMBER_NOT_FOUND(StatusCode.NOT_FOUND, "etcdserver: member not found"),
    // FailedPrecondition
    LEASE_EXISTS(StatusCode.FAILED_PRECONDITION, "etcdserver: lease already exists"),
    MEMBER_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: member ID already exist"),
    PEER_URL_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: Peer URLs already exists"),
    MEMBER_NOT_ENOUGH_STARTED(StatusCode.FAILED_PRECONDITION, "etcdserver: re-configuration failed due to not enough started members"),
    MEMBER_NOT_LEARNER(StatusCode.FAILED_PRECONDITION, "etcdserver: can only promote a learner member"),
    LEARNER_NOT_READY(StatusCode.FAILED_PRECONDITION, "etcdserver: can only promote a learner member which is in sync with leader"),
    TOO_MANY_LEARNERS(StatusCode.FAILED_PRECONDITION, "etcdserver: too many learner members in cluster"),
    CLUSTER_ID_MISMATCH(StatusCode.FAILED_PRECONDITION, "etcdserver: cluster ID mismatch"),
    ROOT_USER_NOT_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: root user does not exist"),
    ROOT_ROLE_NOT_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: root user does not have root role"),
    USER_ALREADY_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: user name already exists"),
    USER_NOT_FOUND(StatusCode.FAILED_PRECONDITION, "etcdserver: user name not found"),
    ROLE_ALREADY_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: role name already exists"),
    ROLE_NOT_FOUND(StatusCode.FAILED_PRECONDITION, "etcdserver: role name not found"),
    ROLE_NOT_GRANTED(StatusCode.FAILED_PRECONDITION, "etcdserver: role is not granted to the user"),
    PERMISSION_NOT_GRANTED(StatusCode.FAILED_PRECONDITION, "etcdserver: permission is not granted to the role"),
    AUTH_NOT_ENABLED(StatusCode.FAILED_PRECONDITION, "etcdserver: authentication is not enabled"),
    NOT_LEADER(StatusCode.FAILED_PRECONDITION, "etcdserver: not leader"),
    NOT_CAPABLE(StatusCode.FAILED_PRECONDITION, "etcdserver: not capable"),
    LEARNER_NOT_SUPPORTED(StatusCode.FAILED_PRECONDITION, "etcdserver: rpc not supported for learner"),
    BAD_LEADER_TRANSFEREE(StatusCode.FAILED_PRECONDITION, "etcdserver: bad leader transferee"),
    // PermissionDenied / Unauthenticated
    PERMISSION_DENIED(StatusCode.PERMISSION_DENIED, "etcdserver: permission denied"),
    INVALID_AUTH_TOKEN(StatusCode.UNAUTHENTICATED, "etcdserver: invalid auth token"),
    // Unavailable
    NO_LEADER(StatusCode.UNAVAILABLE, "etcdserver: no leader"),
    LEADER_CHANGED(StatusCode.UNAVAILABLE, "etcdserver: leader changed"),
    STOPPED(StatusCode.UNAVAILABLE, "etcdserver: server stopped"),
    TIMEOUT(StatusCode.UNAVAILABLE, "etcdserver: request timed out"),
    TIMEOUT_DUE_TO_LEADER_FAIL(StatusCode.UNAVAILABLE, "etcdserver: request timed out, possibly due to previous leader failure"),
    TIMEOUT_DUE_TO_CONNECTION_LOST(StatusCode.UNAVAILABLE, "etcdserver: request timed out, possibly due to connection lost"),
    TIMEOUT_WAIT_APPLIED_INDEX(StatusCode.UNAVAILABLE, "etcdserver: request timed out, waiting for the applied index took too long"),
    UNHEALTHY(StatusCode.UNAVAILABLE, "etcdserver: unhealthy cluster"),
    // DataLoss
    CORRUPT(StatusCode.DATA_LOSS, "etcdserver: corrupt cluster"),
    // Unknown: plain errors of etcd's v3lock / v3election helpers (concurrency package), sent as-is
    ELECTION_NO_LEADER(StatusCode.UNKNOWN, "election: no leader"),
    ELECTION_NOT_LEADER(StatusCode.UNKNOWN, "election: not leader"),
    ELECTION_MISSING_LEADER_KEY(StatusCode.UNKNOWN, "\"leader\" field must be provided"),
    LOCK_SESSION_EXPIRED(StatusCode.UNKNOWN, "mutex: session is expired"),
    // Canceled
    WATCH_CANCELED(StatusCode.CANCELLED, "etcdserver: watch canceled"),
    REQUEST_CANCELED(StatusCode.CANCELLED, "etcdserver: request canceled");

    private final StatusCode code;
    private final String message;

    EtcdError(StatusCode code, String message) {
        this.code = code;
        this.message = message;
    }

    public StatusCode code() {
        return code;
    }

    /** The exact message etcd sends, including the {@code etcdserver: } prefix. */
    public String message() {
        return message;
    }

    /** A new exception carrying this error; throw it or complete a future with it. */
    public EtcdException exception() {
        return new EtcdException(this);
    }
}
