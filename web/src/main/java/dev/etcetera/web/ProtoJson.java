package dev.etcetera.web;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
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
        if (body == null || body.isBlank()) {
            // grpc-gateway treats an empty body as EOF and answers the zero request
            return builder;
        }
        JsonElement tree;
        try {
            tree = JsonParser.parseString(body);
        } catch (JsonParseException e) {
            throw new BadJson(goStyle(e));
        }
        if (!tree.isJsonObject()) {
            throw new BadJson("json: cannot unmarshal " + kind(tree) + " into Go value of type " + goType(builder.getDescriptorForType()));
        }
        checkBytes(tree.getAsJsonObject(), builder.getDescriptorForType());
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

    /** Walks the JSON like Go's decoder would and reports the first bad base64 string. */
    private static void checkBytes(JsonObject object, Descriptor type) throws BadJson {
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

    private static void checkValue(FieldDescriptor field, JsonElement value) throws BadJson {
        if (field.getType() == FieldDescriptor.Type.BYTES && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
            int bad = GoBase64.firstError(value.getAsString());
            if (bad >= 0) {
                throw new BadJson("illegal base64 data at input byte " + bad);
            }
        } else if (field.getType() == FieldDescriptor.Type.MESSAGE && value.isJsonObject()) {
            checkBytes(value.getAsJsonObject(), field.getMessageType());
        }
    }

    private static String goStyle(JsonParseException e) {
        // Go's messages ("invalid character 'b' looking for ...") cannot be reproduced from Gson's
        // diagnostics; the status and code match etcd, the text says what went wrong.
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return "invalid JSON: " + cause.getMessage();
    }

    private static String kind(JsonElement e) {
        if (e.isJsonArray()) {
            return "array";
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

    private static String goType(Descriptor d) {
        return d.getFile().getPackage() + "." + d.getName();
    }
}
