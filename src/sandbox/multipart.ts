/**
 * multipart/form-data requests (POST /attachments): read with the web Request API's formData(),
 * recorded and handed to handlers as their parts, the file's bytes left out (only its size is kept).
 */

/** "The 100MB size limit on attachments in Asana is enforced on this endpoint" (createAttachmentForObject). */
export const ASANA_MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;
/** A multipart body is the file and a few short fields: past this the sandbox stops keeping it. */
export const MAX_MULTIPART_BYTES = ASANA_MAX_ATTACHMENT_BYTES + 64 * 1024;
export const ATTACHMENT_TOO_LARGE = "file: File is too large. Attachments may be at most 100 MB.";

export type FormPart =
  | { name: string; value: string }
  | { name: string; filename: string; type: string; size: number };

/** A multipart request as recorded (RecordedRequest.body) and as its handler reads it. */
export interface RecordedForm {
  multipart: FormPart[];
}

export function isMultipart(contentType: string | undefined): contentType is string {
  return /^multipart\/form-data\s*;/i.test(contentType ?? "");
}

/** The parts of a multipart body, or null when it cannot be read as one. */
export async function parseMultipart(raw: Buffer, contentType: string): Promise<RecordedForm | null> {
  try {
    const form = await new Request("http://sandbox.invalid/", {
      method: "POST",
      headers: { "content-type": contentType },
      body: raw,
    }).formData();
    const multipart: FormPart[] = [];
    for (const [name, value] of form.entries()) {
      multipart.push(
        typeof value === "string"
          ? { name, value }
          : { name, filename: value.name, type: value.type, size: value.size },
      );
    }
    return { multipart };
  } catch {
    return null;
  }
}

export function isFilePart(part: FormPart): part is Extract<FormPart, { filename: string }> {
  return "filename" in part;
}
