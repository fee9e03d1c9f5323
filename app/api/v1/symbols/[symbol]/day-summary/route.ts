import { endpoints } from "../../../../../../server/rest/endpoints";
import { restGet } from "../../../../../../server/rest/handler";

export const dynamic = "force-dynamic";

export const GET = restGet(endpoints["symbols.day"]);
