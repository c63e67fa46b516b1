-- AlterTable
ALTER TABLE "Queue" ADD COLUMN     "paused" BOOLEAN NOT NULL DEFAULT false;
