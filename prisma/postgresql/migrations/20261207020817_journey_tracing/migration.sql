-- AlterTable
ALTER TABLE "Queue" ADD COLUMN     "traced" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Vhost" ADD COLUMN     "traced" BOOLEAN NOT NULL DEFAULT false;
