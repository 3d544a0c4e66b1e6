/**
 * Where the press serves a writer's uploaded image itself, by its Arweave id, while the gateway
 * does not have it yet (`app/routes/uploads.images.$id.ts`). Shared by the server and the editor.
 */
export const IMAGE_PATH_PREFIX = "/uploads/images/";

export const imagePath = (arweaveId: string) => `${IMAGE_PATH_PREFIX}${arweaveId}`;
