package dev.etcetera.web;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.Map;

/**
 * The proto3 JSON mapping as etcd's grpc-gateway applies it: output uses proto field names, int64
 * as strings, bytes as base64, enums by name, defaults omitted; input accepts proto or lowerCamel
 * names, numbers or strings for integers, enum names or numbers, and ignores unknown fields.
 * Messages are the same generated classes the gRPC API uses: there is no parallel JSON model.
 */
final class ProtoJson {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
            .preservingProtoFieldNames()
            .omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private ProtoJson() {
    }

    /** Thrown for input etcd's gateway rejects before calling the server (HTTP 400, gRPC code 3). */
    static final class BadJson extends Exception {
        BadJson(String message) {
            super(message, null, false, false);
        }
    }

    static <B extends Message.Builder> B parse(String body, B builder) throws BadJson {
        if (body == null) {
            return builder;
        }
        GoJsonScanner.Result scanned = GoJsonScanner.scan(body);
        if (scanned.error() != null) {
            throw new BadJson(scanned.error());
        }
        if (scanned.empty()) {
            // grpc-gateway treats an empty body as EOF and answers the zero request
            return builder;
        }
        // Like Go's Decoder, only the first value counts.
        JsonElement tree = JsonParser.parseString(body.substring(0, scanned.end()));
        if (tree.isJsonNull()) {
            return builder;
        }
        if (!tree.isJsonObject()) {
            throw new BadJson("json: cannot unmarshal " + kind(tree) + " into Go value of type map[string]json.RawMessage");
        }
        checkFields(tree.getAsJsonObject(), builder.getDescriptorForType());
        try {
            PARSER.merge(tree.toString(), builder);
        } catch (InvalidProtocolBufferException e) {
            throw new BadJson(e.getMessage());
        }
        return builder;
    }

    static String print(Message message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            // only possible for Any fields with unknown types, which our messages do not contain
            throw new IllegalStateException(e);
        }
    }

    /** Walks the JSON like Go's decoder would and reports the first bad base64 string or enum name. */
    private static void checkFields(JsonObject object, Descriptor type) throws BadJson {
        for (Map.Entry<String, JsonElement> e : object.entrySet()) {
            FieldDescriptor field = type.findFieldByName(e.getKey());
            if (field == null) {
                for (FieldDescriptor f : type.getFields()) {
                    if (f.getJsonName().equals(e.getKey())) {
                        field = f;
                        break;
                    }
                }
            }
            if (field == null || e.getValue().isJsonNull()) {
                continue;
            }
            if (field.isRepeated() && e.getValue().isJsonArray()) {
                JsonArray array = e.getValue().getAsJsonArray();
                for (JsonElement item : array) {
                    checkValue(field, item);
                }
            } else {
                checkValue(field, e.getValue());
            }
        }
    }

    /**
     * The type checks etcd's gateway (golang/protobuf's jsonpb over encoding/json) makes, with its
     * messages: integers may be numbers or quoted numbers, bools must be bools, bytes base64 text,
     * enums a known name or an integer.
     */
    private static void checkValue(FieldDescriptor field, JsonElement value) throws BadJson {
        if (value.isJsonNull()) {
            return;
        }
        switch (field.getJavaType()) {
            case BYTE_STRING -> {
                if (isString(value)) {
                    int bad = GoBase64.firstError(value.getAsString());
                    if (bad >= 0) {
                        throw new BadJson("illegal base64 data at input byte " + bad);
                    }
                } else {
                    throw mismatch(value, "[]uint8");
                }
            }
            case BOOLEAN -> {
                if (!(value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean())) {
                    throw mismatch(value, "bool");
                }
            }
            case STRING -> {
                if (!isString(value)) {
                    throw mismatch(value, "string");
                }
            }
            case LONG, INT -> checkInteger(field, value, goIntType(field));
            case ENUM -> {
                if (isString(value)) {
                    if (field.getEnumType().findValueByName(value.getAsString()) == null) {
                        // protobuf's parser would silently drop it; etcd's gateway refuses it
                        throw new BadJson("unknown value \"" + value.getAsString() + "\" for enum " + goEnumName(field.getEnumType()));
                    }
                } else {
                    checkInteger(field, value, goEnumName(field.getEnumType()));
                }
            }
            case MESSAGE -> {
                if (value.isJsonObject()) {
                    checkFields(value.getAsJsonObject(), field.getMessageType());
                }
            }
            default -> {
                // float/double fields do not occur in etcd's API
            }
        }
    }

    private static void checkInteger(FieldDescriptor field, JsonElement value, String goType) throws BadJson {
        String text;
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
            text = value.getAsJsonPrimitive().getAsString();
        } else if (isString(value) && field.getJavaType() == FieldDescriptor.JavaType.LONG) {
            // jsonpb unquotes a 64-bit integer and decodes the text inside as JSON
            String inner = value.getAsString();
            if (inner.isEmpty()) {
                throw new BadJson("unexpected end of JSON input");
            }
            GoJsonScanner.Result r = GoJsonScanner.scan(inner);
            if (r.error() != null) {
                throw new BadJson(r.error().equals("unexpected EOF") ? "unexpected end of JSON input" : r.error());
            }
            JsonElement parsed = JsonParser.parseString(inner.substring(0, r.end()));
            if (!(parsed.isJsonPrimitive() && parsed.getAsJsonPrimitive().isNumber())) {
                throw mismatch(parsed, goType);
            }
            text = parsed.getAsJsonPrimitive().getAsString();
        } else {
            throw mismatch(value, goType);
        }
        if (!fitsInteger(text, field)) {
            throw new BadJson("json: cannot unmarshal number " + text + " into Go value of type " + goType);
        }
    }

    private static boolean fitsInteger(String text, FieldDescriptor field) {
        if (!text.matches("-?\\d+")) {
            return false;
        }
        java.math.BigInteger v = new java.math.BigInteger(text);
        boolean unsigned = switch (field.getType()) {
            case UINT64, FIXED64, UINT32, FIXED32 -> true;
            default -> false;
        };
        int bits = field.getJavaType() == FieldDescriptor.JavaType.LONG ? 64 : 32;
        java.math.BigInteger min = unsigned ? java.math.BigInteger.ZERO : java.math.BigInteger.ONE.shiftLeft(bits - 1).negate();
        java.math.BigInteger max = unsigned ? java.math.BigInteger.ONE.shiftLeft(bits).subtract(java.math.BigInteger.ONE)
                : java.math.BigInteger.ONE.shiftLeft(bits - 1).subtract(java.math.BigInteger.ONE);
        return v.compareTo(min) >= 0 && v.compareTo(max) <= 0;
    }

    private static String goIntType(FieldDescriptor field) {
        return switch (field.getType()) {
            case UINT64, FIXED64 -> "uint64";
            case UINT32, FIXED32 -> "uint32";
            case INT32, SINT32, SFIXED32 -> "int32";
            default -> "int64";
        };
    }

    private static boolean isString(JsonElement v) {
        return v.isJsonPrimitive() && v.getAsJsonPrimitive().isString();
    }

    private static BadJson mismatch(JsonElement value, String goType) {
        return new BadJson("json: cannot unmarshal " + kind(value) + " into Go value of type " + goType);
    }

    /** Go's generated name: package, then the nesting joined by '_' ({@code etcdserverpb.RangeRequest_SortOrder}). */
    private static String goEnumName(com.google.protobuf.Descriptors.EnumDescriptor e) {
        String name = e.getName();
        for (Descriptor d = e.getContainingType(); d != null; d = d.getContainingType()) {
            name = d.getName() + "_" + name;
        }
        return e.getFile().getPackage() + "." + name;
    }

    private static String kind(JsonElement e) {
        if (e.isJsonArray()) {
            return "array";
        }
        if (e.isJsonObject()) {
            return "object";
        }
        if (e.isJsonPrimitive()) {
            if (e.getAsJsonPrimitive().isNumber()) {
                return "number";
            }
            if (e.getAsJsonPrimitive().isBoolean()) {
                return "bool";
            }
            return "string";
        }
        return "null";
    }

}
